package routes

import (
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/go-kit/log"
	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/alertmanager/provider"
	"github.com/prometheus/alertmanager/types"
	"github.com/prometheus/client_golang/prometheus"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// RouteCase is one routing test: an alert's labels and exactly the
// receivers it must reach.
type RouteCase struct {
	Name      string
	Env       string
	Path      model.Path // CUE path of what the case is about
	Labels    map[string]string
	Receivers []string
}

// DeriveRouteCases gives, for every alert of every environment with the
// labels it really carries, the receivers the policy says it must reach:
// the environment's Slack receiver, its pager when the severity pages
// there, and the security contact for an alert carrying its labels; and
// for each of the stack's own alerts, its receivers in
// settings.monitoring.receivers.
func DeriveRouteCases(s *model.Stack) []RouteCase {
	var cases []RouteCase
	for _, a := range promql.RealAlerts(s) {
		ls := map[string]string{}
		for k, v := range a.Labels {
			ls[string(k)] = string(v)
		}
		if _, isEnv := s.Envs[a.Env]; !isEnv {
			cases = append(cases, RouteCase{
				Name: a.Env + "/" + a.Rule.Alert, Env: a.Env, Path: model.PathSettingsMonitoringReceivers,
				Labels: ls, Receivers: s.Settings.Monitoring.ReceiversOf(a.Rule.Alert),
			})
			continue
		}
		p := s.Settings.Alertmanager.Policy[a.Env]
		want := []string{p.Slack}
		if slices.Contains(p.PageSeverities, string(a.Labels["severity"])) {
			want = append(want, p.Pager)
		}
		if carries(a.Labels, s.Settings.Alertmanager.Security.Labels) {
			want = append(want, s.Settings.Alertmanager.Security.Receiver)
		}
		cases = append(cases, RouteCase{
			Name: a.Env + "/" + a.Rule.Alert, Env: a.Env, Path: model.PathSettingsAlertmanagerPolicy.At(a.Env),
			Labels: ls, Receivers: want,
		})
	}
	return cases
}

// HandRouteCases converts the hand-written routing tests.
func HandRouteCases(s *model.Stack) []RouteCase {
	var cases []RouteCase
	for i, t := range s.RouteTests {
		cases = append(cases, RouteCase{Name: t.Name, Path: model.PathRouteTest.At(i), Labels: t.Labels, Receivers: t.Receivers})
	}
	return cases
}

// RunRouteCase routes the case's labels through cfg with Alertmanager's own
// route matching and returns a failure naming the route path taken, or "".
func RunRouteCase(cfg *amconfig.Config, c RouteCase) string {
	ls := promql.ToLabelSet(c.Labels)
	got, paths := RouteReceivers(cfg, ls)
	want := append([]string{}, c.Receivers...)
	sort.Strings(want)
	sorted := append([]string{}, got...)
	sort.Strings(sorted)
	if slices.Equal(want, sorted) {
		return ""
	}
	return fmt.Sprintf("labels %s reach %v, want %v; routes taken: %s", ls, got, want, strings.Join(paths, " | "))
}

// RunInhibitCase fires source, then asks Alertmanager's inhibitor whether
// target is muted.
func RunInhibitCase(cfg *amconfig.Config, t model.InhibitTest) (bool, error) {
	src := firingAlert(t.Source)
	ch := make(chan *types.Alert)
	done := make(chan struct{}) // closed by the iterator when the inhibitor stops
	ih := inhibit.NewInhibitor(oneShot{ch, done}, cfg.InhibitRules, types.NewMarker(prometheus.NewRegistry()), log.NewNopLogger())
	go ih.Run()
	defer ih.Stop()
	// The inhibitor reads alerts one at a time: once the second send is
	// taken, the source alert has been added to the rules' caches.
	for _, a := range []*types.Alert{src, firingAlert(map[string]string{"alertname": "lms-ops-sentinel"})} {
		select {
		case ch <- a:
		case <-time.After(5 * time.Second):
			return false, fmt.Errorf("inhibitor did not read the alerts")
		}
	}
	return ih.Mutes(firingAlert(t.Target).Labels), nil
}

// firingAlert is an alert that started now and has not ended.
func firingAlert(ls map[string]string) *types.Alert {
	now := time.Now()
	return &types.Alert{Alert: pmodel.Alert{Labels: promql.ToLabelSet(ls), StartsAt: now, EndsAt: now.Add(time.Hour)}}
}

// oneShot is an alert provider that streams the alerts sent on its channel.
type oneShot struct {
	ch   chan *types.Alert
	done chan struct{}
}

func (o oneShot) Subscribe() provider.AlertIterator {
	return provider.NewAlertIterator(o.ch, o.done, nil)
}
func (o oneShot) GetPending() provider.AlertIterator {
	return provider.NewAlertIterator(nil, o.done, nil)
}
func (o oneShot) Get(pmodel.Fingerprint) (*types.Alert, error) {
	return nil, provider.ErrNotFound
}
func (o oneShot) Put(...*types.Alert) error { return nil }

// CheckRouteTests runs the derived and hand-written routing cases and the
// inhibition cases on Alertmanager 0.27.0's own matching, on the labels
// Alertmanager receives from each of senders (the compose topology's
// Prometheus services; the rule's labels as they are when there is none).
func CheckRouteTests(m *model.Model, files output.Files, senders []Sender) model.Problems {
	cfg := LoadAlertmanager(m, files)
	if cfg == nil || !promql.AllRulesParse(m.Stack) {
		return nil // checkAlertmanagerConfig or checkRuleFiles reports why
	}
	return RunCases(m, cfg, senders, path.Base(m.Stack.Outputs.Alertmanager.Path))
}

// RunCases runs every route and inhibition case on cfg, each on the
// labels every sender delivers (once per distinct label set): a case that
// passes on the rule's labels and fails on what arrives is a failure, and
// so is an alert a sender drops. art names the configuration in messages.
func RunCases(m *model.Model, cfg *amconfig.Config, senders []Sender, art string) model.Problems {
	if len(senders) == 0 {
		senders = []Sender{{Name: "the rule"}}
	}
	var ps model.Problems
	for _, c := range append(DeriveRouteCases(m.Stack), HandRouteCases(m.Stack)...) {
		scope := fmt.Sprintf("stack: %s: route case %q", art, c.Name)
		if c.Env != "" {
			scope = fmt.Sprintf("env %s: %s: route case %q", c.Env, art, c.Name)
		}
		d := Deliver(senders, c.Labels)
		if len(d.DroppedBy) > 0 {
			ps = append(ps, model.Problem{Pos: m.PosOf("", c.Path), Scope: scope, Msg: d.Once()})
		}
		for _, set := range d.Sets {
			dc := c
			dc.Labels = set.Labels
			if f := RunRouteCase(cfg, dc); f != "" {
				ps = append(ps, model.Problem{Pos: m.PosOf("", c.Path), Scope: scope, Msg: f + fromSenders(set.Senders, senders)})
			}
		}
	}
	for i, t := range m.Stack.InhibitTests {
		src, tgt := Deliver(senders, t.Source), Deliver(senders, t.Target)
		msg := ""
		switch {
		case len(src.Sets) != 1 || len(tgt.Sets) != 1:
			msg = fmt.Sprintf("source: %s; target: %s", orOnce(src.Once()), orOnce(tgt.Once()))
		default:
			dt := t
			dt.Source, dt.Target = src.Sets[0].Labels, tgt.Sets[0].Labels
			muted, err := RunInhibitCase(cfg, dt)
			switch {
			case err != nil:
				msg = err.Error()
			case muted != t.Muted:
				msg = fmt.Sprintf("source %s: target %s muted = %v, want %v", promql.ToLabelSet(dt.Source), promql.ToLabelSet(dt.Target), muted, t.Muted) +
					fromSenders(src.Sets[0].Senders, senders)
			}
		}
		if msg != "" {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathInhibitTest.At(i)), Scope: fmt.Sprintf("stack: %s: inhibit case %q", art, t.Name), Msg: msg})
		}
	}
	return ps
}

// fromSenders names the senders a delivered label set came from, when
// they are Prometheus servers rather than the rule itself.
func fromSenders(names []string, senders []Sender) string {
	if len(senders) == 1 && senders[0].Name == "the rule" {
		return ""
	}
	return " (as " + strings.Join(names, ", ") + " sends it)"
}

func orOnce(s string) string {
	if s == "" {
		return "one alert"
	}
	return s
}

// carries tells whether ls has every label of want.
func carries(ls pmodel.LabelSet, want map[string]string) bool {
	for k, v := range want {
		if string(ls[pmodel.LabelName(k)]) != v {
			return false
		}
	}
	return len(want) > 0
}
