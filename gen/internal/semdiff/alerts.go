package semdiff

import (
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// alert is what a reviewer weighs of one alert in one environment.
type alert struct {
	threshold, window, forDur, severity string
	// labels are the labels the alert really carries, but its name and
	// severity (shown apart) and instance (a scrape target's address,
	// which the scrape section reports).
	labels map[string]string
	expr   string
	// links are the annotations an on-call engineer follows.
	links map[string]string
}

// linkAnnotations are the annotations compared: what the notification
// says and where it sends the reader. The description is left out: it
// spells the threshold, window and for, which are compared themselves.
var linkAnnotations = []string{"summary", "runbook_url", "dashboard_url"}

// alertsOf lists every alert of s by "<env> <alert>".
func alertsOf(s *model.Stack) map[string]alert {
	out := map[string]alert{}
	for _, a := range promql.RealAlerts(s) {
		t := s.ThresholdOf(a.Env, a.Rule.Alert)
		v := alert{window: t.Window, forDur: a.Rule.For, severity: a.Rule.Labels["severity"], labels: map[string]string{}, expr: a.Rule.Expr, links: map[string]string{}}
		for _, k := range linkAnnotations {
			v.links[k] = a.Rule.Annotations[k]
		}
		if t.Window != "" {
			v.threshold = render.FormatNumber(t.Threshold)
		}
		// An SLO alert fires on error ratios the objective gives.
		if x, tier, ok := s.SLOAlert(a.Env, a.Rule.Alert); ok {
			v.threshold = sloThreshold(x, tier)
		}
		for k, val := range a.Labels {
			if k != "alertname" && k != "severity" && k != "instance" {
				v.labels[string(k)] = string(val)
			}
		}
		out[a.Env+" "+a.Rule.Alert] = v
	}
	return out
}

// describe sums up an alert added or removed.
func (a alert) describe() string {
	var parts []string
	switch {
	case a.threshold != "" && a.window != "":
		parts = append(parts, fmt.Sprintf("threshold %s over %s", a.threshold, a.window))
	case a.threshold != "":
		parts = append(parts, "threshold "+a.threshold)
	}
	return strings.Join(append(parts, "for "+a.forDur, a.severity, labelString(a.labels)), ", ")
}

func compareAlerts(before, after Side) ([]Change, error) {
	return byKey(Alerts, alertsOf(before.Stack), alertsOf(after.Stack), same, alert.describe, func(b, a alert) []field {
		fs := fieldsOf(
			field{"threshold", b.threshold, a.threshold},
			field{"window", b.window, a.window},
			field{"for", b.forDur, a.forDur},
			field{"severity", b.severity, a.severity},
		)
		fs = append(fs, mapFields("label ", b.labels, a.labels)...)
		fs = append(fs, mapFields("annotation ", b.links, a.links)...)
		// The expression follows from the threshold and window; said only
		// when it changed for another reason (the shared alert set).
		if b.threshold == a.threshold && b.window == a.window && b.expr != a.expr {
			fs = append(fs, field{"expr", b.expr, a.expr})
		}
		return fs
	}), nil
}

// receiversOf routes every alert of side through its alertmanager.yml with
// Alertmanager's own code: "<env> <alert>" → the receivers it reaches,
// each with its destination.
func receiversOf(side Side) (map[string]string, error) {
	cfg, err := routes.ParseAlertmanager(side.Stack, side.Files)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", side.Stack.Outputs.Alertmanager.Path, err)
	}
	out := map[string]string{}
	for _, r := range routes.AlertReceivers(side.Stack, cfg) {
		out[r.Env+" "+r.Alert] = strings.Join(side.Stack.Outputs.Alertmanager.Config.DescribeReceivers(r.Receivers), ", ")
	}
	return out, nil
}

// compareNotifications: who each alert reaches, before and after (an alert
// on one side only reaches nobody on the other), and the route's timing.
func compareNotifications(before, after Side) ([]Change, error) {
	b, err := receiversOf(before)
	if err != nil {
		return nil, err
	}
	a, err := receiversOf(after)
	if err != nil {
		return nil, err
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			a[k] = ""
		}
	}
	for k := range a {
		if _, ok := b[k]; !ok {
			b[k] = ""
		}
	}
	// An alert that fires differently keeps its receivers in the summary,
	// unchanged: the reviewer of a threshold sees who it wakes.
	ab, aa := alertsOf(before.Stack), alertsOf(after.Stack)
	out := byKey(Notifications, b, a, same, same, func(b, a string) []field {
		return []field{{"receivers", b, a}}
	})
	out = slices.DeleteFunc(out, func(c Change) bool {
		x, inB := ab[c.Subject]
		y, inA := aa[c.Subject]
		x.links, y.links = nil, nil // a link does not change when it fires
		return c.Before == c.After && (!inB || !inA || reflect.DeepEqual(x, y))
	})
	rb, ra := before.Stack.Outputs.Alertmanager.Config.Route, after.Stack.Outputs.Alertmanager.Config.Route
	for _, f := range fieldsOf(
		field{"group_by", strings.Join(rb.GroupBy, ", "), strings.Join(ra.GroupBy, ", ")},
		field{"group_wait", rb.GroupWait, ra.GroupWait},
		field{"group_interval", rb.GroupInterval, ra.GroupInterval},
		field{"repeat_interval", rb.RepeatInterval, ra.RepeatInterval},
	) {
		out = append(out, Change{Notifications, "route", f.name, orNone(f.before), orNone(f.after)})
	}
	return out, nil
}

// compareInhibitions: inhibit rules added or removed, each named by its
// source matchers and described by what it mutes.
func compareInhibitions(before, after Side) ([]Change, error) {
	rules := func(s *model.Stack) map[string]string {
		out := map[string]string{}
		for _, r := range s.Outputs.Alertmanager.Config.InhibitRules {
			mutes := fmt.Sprintf("mutes %s when equal %s", strings.Join(r.TargetMatchers, ", "), strings.Join(r.Equal, ", "))
			out[strings.Join(r.SourceMatchers, ", ")+" "+mutes] = mutes
		}
		return out
	}
	source := func(k string) string { src, _, _ := strings.Cut(k, " mutes "); return src }
	return byKey(Inhibitions, rules(before.Stack), rules(after.Stack), source, same,
		func(string, string) []field { return nil }), nil
}
