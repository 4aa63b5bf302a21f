package verify

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/inhibit"
	pmodel "github.com/prometheus/common/model"

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
		if !mutesAny(cr, alerts) {
			ps = append(ps, model.Problem{Pos: pos(), Scope: scope, Msg: "can never mute anything: no real alert matches the source and another, with equal " +
				fmt.Sprint(cr.Equal) + ", matches the target"})
		}
	}
	return ps
}

// mutesAny reports whether rule cr mutes a real alert with another, with
// Alertmanager's matchers: both sides must carry every `equal` label with
// the same value, and an alert does not mute itself. The targets are
// bucketed by their `equal` values, so that each source looks only at the
// targets it could mute: every source against every target is quadratic
// in the environments, which bring both.
func mutesAny(cr amconfig.InhibitRule, alerts []promql.RealAlert) bool {
	rule := inhibit.NewInhibitRule(cr)
	equal := slices.Sorted(maps.Keys(rule.Equal))
	key := func(ls pmodel.LabelSet) (string, bool) {
		var b strings.Builder
		for _, l := range equal {
			v, ok := ls[l]
			if !ok {
				return "", false
			}
			fmt.Fprintf(&b, "%q,", v)
		}
		return b.String(), true
	}
	targets := map[string][]pmodel.LabelSet{}
	for _, a := range alerts {
		if k, ok := key(a.Labels); ok && rule.TargetMatchers.Matches(a.Labels) {
			targets[k] = append(targets[k], a.Labels)
		}
	}
	for _, src := range alerts {
		k, ok := key(src.Labels)
		if !ok || !rule.SourceMatchers.Matches(src.Labels) {
			continue
		}
		for _, tgt := range targets[k] {
			if !src.Labels.Equal(tgt) {
				return true
			}
		}
	}
	return false
}
