package verify

import (
	"fmt"
	"path"
	"sort"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/inhibit"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// checkInhibitions: every inhibition refers to labels real alerts carry and
// can mute at least one real alert by another real alert.
func checkInhibitions(m *model.Model, files output.Files) model.Problems {
	cfg := routes.LoadAlertmanager(m, files)
	if cfg == nil || !promql.AllRulesParse(m.Stack) {
		return nil
	}
	alerts := promql.RealAlerts(m.Stack)
	carried := map[string]bool{}
	for _, a := range alerts {
		for l := range a.Labels {
			carried[string(l)] = true
		}
	}
	var ps model.Problems
	for i, cr := range cfg.InhibitRules {
		pos := func() string { return m.PosOf("", model.PathAlertmanagerInhibitRl.At(i)) }
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
			ps = append(ps, model.Problem{Pos: pos(), Scope: scope, Msg: "refers to labels no alert carries: " + strings.Join(unknown, ", ")})
			continue
		}
		if pairs := inhibitedPairs(cr, alerts); len(pairs) == 0 {
			ps = append(ps, model.Problem{Pos: pos(), Scope: scope, Msg: "can never mute anything: no real alert matches the source and another, with equal " +
				fmt.Sprint(cr.Equal) + ", matches the target"})
		}
	}
	return ps
}

// inhibitedPairs lists "source -> target" pairs of real alerts that rule
// cr mutes, with Alertmanager's matchers: both sides must carry every
// `equal` label with the same value, and an alert does not mute itself.
func inhibitedPairs(cr amconfig.InhibitRule, alerts []promql.RealAlert) []string {
	rule := inhibit.NewInhibitRule(cr)
	var pairs []string
	for _, src := range alerts {
		if !rule.SourceMatchers.Matches(src.Labels) {
			continue
		}
		for _, tgt := range alerts {
			if src.Labels.Equal(tgt.Labels) || !rule.TargetMatchers.Matches(tgt.Labels) {
				continue
			}
			equal := true
			for l := range rule.Equal {
				sv, sok := src.Labels[l]
				tv, tok := tgt.Labels[l]
				if !sok || !tok || sv != tv {
					equal = false
				}
			}
			if equal {
				pairs = append(pairs, src.Rule.Alert+"->"+tgt.Rule.Alert)
			}
		}
	}
	return pairs
}
