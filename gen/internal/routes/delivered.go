package routes

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/go-kit/log"
	promconfig "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
)

// Sender is one Prometheus that sends alerts to Alertmanager, as a
// topology gen renders runs it: what it does to an alert's labels between
// the rule and Alertmanager. A route case that passes on a rule's labels
// can fail on what arrives, so the routing proofs run on Deliver's output.
type Sender struct {
	// Name says which Prometheus it is ("prometheus-1", "kubernetes
	// monitoring/lms replica 0").
	Name string
	// ExternalLabels are added to every alert that lacks them.
	ExternalLabels labels.Labels
	// Relabel are its alert_relabel_configs, as Prometheus parsed them.
	Relabel []*relabel.Config
}

// Deliver returns the labels Alertmanager receives for an alert with
// labels ls from s, and false when s drops the alert. It is what
// Prometheus 2.54.1's notifier does before it sends (notifier.relabelAlerts:
// an external label is added only where the alert lacks the label, then
// alert_relabel_configs run), with Prometheus's own relabel package.
func (s Sender) Deliver(ls map[string]string) (map[string]string, bool) {
	lb := labels.NewBuilder(labels.FromMap(ls))
	s.ExternalLabels.Range(func(l labels.Label) {
		if _, ok := ls[l.Name]; !ok {
			lb.Set(l.Name, l.Value)
		}
	})
	if !relabel.ProcessBuilder(lb, s.Relabel...) {
		return nil, false
	}
	return lb.Labels().Map(), true
}

// ComposeSenders are the Prometheus services of the compose topology (one,
// or every HA replica): prometheus.yml parsed by Prometheus's own loader,
// its external labels expanded with each service's environment as
// --enable-feature=expand-external-labels does (os.Expand, "$$" for "$").
// env maps each Prometheus service of the compose file to its environment.
func ComposeSenders(prometheusYAML []byte, env map[string]map[string]string) ([]Sender, error) {
	cfg, err := promconfig.Load(string(prometheusYAML), false, log.NewNopLogger())
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(env))
	for n := range env {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []Sender
	for _, n := range names {
		b := labels.NewScratchBuilder(0)
		cfg.GlobalConfig.ExternalLabels.Range(func(l labels.Label) {
			b.Add(l.Name, os.Expand(l.Value, func(k string) string {
				if k == "$" {
					return "$"
				}
				return env[n][k]
			}))
		})
		b.Sort()
		out = append(out, Sender{Name: n, ExternalLabels: b.Labels(), Relabel: cfg.AlertingConfig.AlertRelabelConfigs})
	}
	return out, nil
}

// Delivered is what one alert becomes on its way from every sender of a
// topology: the distinct label sets Alertmanager receives, and the senders
// that drop it.
type Delivered struct {
	// Sets are the distinct delivered label sets, each with the senders
	// that deliver it.
	Sets []DeliveredSet
	// DroppedBy are the senders whose relabelling drops the alert.
	DroppedBy []string
}

// DeliveredSet is one label set Alertmanager receives, and from whom.
type DeliveredSet struct {
	Labels  map[string]string
	Senders []string
}

// Deliver runs ls through every sender.
func Deliver(senders []Sender, ls map[string]string) Delivered {
	var d Delivered
	index := map[string]int{}
	for _, s := range senders {
		got, ok := s.Deliver(ls)
		if !ok {
			d.DroppedBy = append(d.DroppedBy, s.Name)
			continue
		}
		key := labels.FromMap(got).String()
		i, seen := index[key]
		if !seen {
			i = len(d.Sets)
			index[key] = i
			d.Sets = append(d.Sets, DeliveredSet{Labels: got})
		}
		d.Sets[i].Senders = append(d.Sets[i].Senders, s.Name)
	}
	return d
}

// Once says why Alertmanager would not receive the alert exactly once
// (as one alert, whichever replica sends it), or "".
func (d Delivered) Once() string {
	switch {
	case len(d.DroppedBy) > 0:
		return fmt.Sprintf("dropped by the alert_relabel_configs of %s: Alertmanager never receives it", strings.Join(d.DroppedBy, ", "))
	case len(d.Sets) > 1:
		var parts []string
		for _, s := range d.Sets {
			parts = append(parts, fmt.Sprintf("%s from %s", labels.FromMap(s.Labels), strings.Join(s.Senders, ", ")))
		}
		return "arrives as different alerts, one per label set, so each is notified: " + strings.Join(parts, "; ")
	}
	return ""
}
