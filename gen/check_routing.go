package gen

import (
	"fmt"
	"path"
	"sort"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	"github.com/prometheus/alertmanager/inhibit"
	"github.com/prometheus/common/model"
)

// productionEnvironment is the only `environment` label value allowed to page.
const productionEnvironment = "production"

// realAlert is one alert the rules can raise, with the labels it carries.
type realAlert struct {
	env    string
	rule   AlertRule
	labels model.LabelSet
	// gi, ri locate the rule in outputs.alerts.rules.groups.
	gi, ri int
}

func (a realAlert) scope(artifact string) string {
	return fmt.Sprintf("env %s: %s: alert %s", a.env, artifact, a.rule.Alert)
}

// realAlerts lists one alert per rule per environment, with AlertLabels.
func realAlerts(s *Stack) []realAlert {
	var out []realAlert
	for gi, g := range s.Outputs.Alerts.Rules.Groups {
		for ri, r := range g.Rules {
			out = append(out, realAlert{env: g.Env, rule: r, labels: toLabelSet(AlertLabels(s, g, r)), gi: gi, ri: ri})
		}
	}
	return out
}

// toLabelSet converts a label map to Alertmanager's and Prometheus's type.
func toLabelSet(m map[string]string) model.LabelSet {
	ls := model.LabelSet{}
	for k, v := range m {
		ls[model.LabelName(k)] = model.LabelValue(v)
	}
	return ls
}

// loadAlertmanager parses the rendered alertmanager.yml with Alertmanager's
// loader; checkAlertmanagerConfig reports a failure, the others skip.
func loadAlertmanager(m *Model, files Files) *amconfig.Config {
	cfg, err := amconfig.Load(string(files[m.Stack.Outputs.Alertmanager.Path]))
	if err != nil {
		return nil
	}
	return cfg
}

// RouteReceivers returns the receivers an alert with labels ls reaches in
// the routing tree of cfg, and the route path of each, using
// Alertmanager's own matching (continue, nesting, defaults).
func RouteReceivers(cfg *amconfig.Config, ls model.LabelSet) (receivers []string, paths []string) {
	for _, r := range dispatch.NewRoute(cfg.Route, nil).Match(ls) {
		receivers = append(receivers, r.RouteOpts.Receiver)
		paths = append(paths, r.Key())
	}
	return receivers, paths
}

// checkRouting: every real alert reaches only receivers that notify
// somebody, and at least one route below the root (the root receiver is a
// fallback for alerts nobody planned); production critical alerts page;
// alerts of any other environment never page.
func checkRouting(m *Model, files Files) Problems {
	cfg := loadAlertmanager(m, files)
	if cfg == nil || !allRulesParse(m.Stack) {
		return nil
	}
	art := path.Base(m.Stack.Outputs.Alertmanager.Path)
	byName := map[string]Receiver{}
	for _, r := range m.Stack.Outputs.Alertmanager.Config.Receivers {
		byName[r.Name] = r
	}
	var ps Problems
	for _, a := range realAlerts(m.Stack) {
		receivers, paths := RouteReceivers(cfg, a.labels)
		add := func(rule, format string, args ...any) {
			ps = append(ps, Problem{Pos: m.PosOf("", "outputs.alertmanager.config.route"), Scope: a.scope(art), Rule: rule,
				Msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (labels %s; routes %s)", a.labels, strings.Join(paths, " | "))})
		}
		pages := false
		for i, name := range receivers {
			if !byName[name].Notifies() {
				add("routes-to-receiver", "reaches receiver %q, which has no integration", name)
			}
			if paths[i] == "{}" {
				add("routes-to-receiver", "falls through to the root receiver %q: no route matches it", name)
			}
			if len(byName[name].PagerdutyConfigs) > 0 {
				pages = true
			}
		}
		env := string(a.labels["environment"])
		switch {
		case env != productionEnvironment && pages:
			add("paging", "environment %q pages (receivers %v); only %s may page", env, receivers, productionEnvironment)
		case env == productionEnvironment && a.labels["severity"] == "critical" && !pages:
			add("paging", "is a production critical alert but pages nobody (receivers %v)", receivers)
		}
	}
	return ps
}

// checkInhibitions: every inhibition refers to labels real alerts carry and
// can mute at least one real alert by another real alert.
func checkInhibitions(m *Model, files Files) Problems {
	cfg := loadAlertmanager(m, files)
	if cfg == nil || !allRulesParse(m.Stack) {
		return nil
	}
	alerts := realAlerts(m.Stack)
	carried := map[string]bool{}
	for _, a := range alerts {
		for l := range a.labels {
			carried[string(l)] = true
		}
	}
	var ps Problems
	for i, cr := range cfg.InhibitRules {
		pos := m.PosOf("", fmt.Sprintf("outputs.alertmanager.config.inhibit_rules[%d]", i))
		scope := fmt.Sprintf("stack: %s: inhibit_rules[%d]", path.Base(m.Stack.Outputs.Alertmanager.Path), i)
		var unknown []string
		for _, mt := range append(append(amconfig.Matchers{}, cr.SourceMatchers...), cr.TargetMatchers...) {
			if !carried[mt.Name] {
				unknown = append(unknown, "matcher "+mt.String())
			}
		}
		for _, l := range cr.Equal {
			if !carried[string(l)] {
				unknown = append(unknown, "equal label "+string(l))
			}
		}
		if len(unknown) > 0 {
			sort.Strings(unknown)
			ps = append(ps, Problem{Pos: pos, Scope: scope, Msg: "refers to labels no alert carries: " + strings.Join(unknown, ", ")})
			continue
		}
		if pairs := inhibitedPairs(cr, alerts); len(pairs) == 0 {
			ps = append(ps, Problem{Pos: pos, Scope: scope, Msg: "can never mute anything: no real alert matches the source and another, with equal " +
				fmt.Sprint(cr.Equal) + ", matches the target"})
		}
	}
	return ps
}

// inhibitedPairs lists "source -> target" pairs of real alerts that rule
// cr mutes, with Alertmanager's matchers: both sides must carry every
// `equal` label with the same value, and an alert does not mute itself.
func inhibitedPairs(cr amconfig.InhibitRule, alerts []realAlert) []string {
	rule := inhibit.NewInhibitRule(cr)
	var pairs []string
	for _, src := range alerts {
		if !rule.SourceMatchers.Matches(src.labels) {
			continue
		}
		for _, tgt := range alerts {
			if src.labels.Equal(tgt.labels) || !rule.TargetMatchers.Matches(tgt.labels) {
				continue
			}
			equal := true
			for l := range rule.Equal {
				sv, sok := src.labels[l]
				tv, tok := tgt.labels[l]
				if !sok || !tok || sv != tv {
					equal = false
				}
			}
			if equal {
				pairs = append(pairs, src.rule.Alert+"->"+tgt.rule.Alert)
			}
		}
	}
	return pairs
}
