package rules

import (
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/lms/lms-ops/gen/internal/model"
)

// stackRules indexes the stack's rule groups and alerting rules once for
// all its cases. Each case, batch and firing alert used to walk every
// group of every environment to find its own: work that grew with the
// square of the environments (at 100 environments, about a second of the
// rule cases' CPU).
type stackRules struct {
	// all are the rendered rule file's groups, and pos each one's place.
	all *rulefmt.RuleGroups
	pos map[string]int
	// envGroups are each environment's groups of alerts (not its SLOs'),
	// the ones a case that names environments evaluates; groupAlerts are
	// the alert names of each group.
	envGroups   map[string][]string
	groupAlerts map[string][]string
	// alerts are the alerting rules by name, then by the label names
	// they set (see ruleOf).
	alerts map[string][]*labelSet
}

// labelSet holds the rules of one name that set the same label names,
// by their values: the first of the file for each.
type labelSet struct {
	names []string
	rules map[string]ruleAt
}

// ruleAt is a rule and its place among the file's alerting rules.
type ruleAt struct {
	at   int
	rule model.AlertRule
}

// indexRules indexes s's groups, and all, the rendered file's (nil when
// only rules are looked up).
func indexRules(s *model.Stack, all *rulefmt.RuleGroups) *stackRules {
	ix := &stackRules{all: all, pos: map[string]int{}, envGroups: map[string][]string{}, groupAlerts: map[string][]string{}, alerts: map[string][]*labelSet{}}
	if all != nil {
		for i, g := range all.Groups {
			ix.pos[g.Name] = i
		}
	}
	at := 0
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		if g.SLO == "" {
			ix.envGroups[g.Env] = append(ix.envGroups[g.Env], g.Name)
		}
		for _, r := range g.Rules {
			if r.IsRecord() {
				continue
			}
			ix.groupAlerts[g.Name] = append(ix.groupAlerts[g.Name], r.Alert)
			names := slices.Sorted(maps.Keys(r.Labels))
			i := slices.IndexFunc(ix.alerts[r.Alert], func(ls *labelSet) bool { return slices.Equal(ls.names, names) })
			if i < 0 {
				i = len(ix.alerts[r.Alert])
				ix.alerts[r.Alert] = append(ix.alerts[r.Alert], &labelSet{names: names, rules: map[string]ruleAt{}})
			}
			ls := ix.alerts[r.Alert][i]
			// The first rule of these values: an absent one has no name.
			if v := labelValues(r.Labels, names); ls.rules[v].rule.Alert == "" {
				ls.rules[v] = ruleAt{at, r}
			}
			at++
		}
	}
	return ix
}

// labelValues joins the values of the labels names in labels ("" for a
// missing one); 0xff never occurs in UTF-8, so it cannot be confused with
// a value.
func labelValues(labels map[string]string, names []string) string {
	vs := make([]string, len(names))
	for i, n := range names {
		vs[i] = labels[n]
	}
	return strings.Join(vs, "\xff")
}

// ruleOf finds the rule that raised a firing alert: the first of the file
// with its name whose every label the alert carries, with the same value.
func (ix *stackRules) ruleOf(alert map[string]string) (model.AlertRule, bool) {
	best := ruleAt{at: -1}
	for _, ls := range ix.alerts[alert["alertname"]] {
		if r, ok := ls.rules[labelValues(alert, ls.names)]; ok && (best.at < 0 || r.at < best.at) {
			best = r
		}
	}
	return best.rule, best.at >= 0
}

// evaluated are the names of the rule groups case c evaluates: the ones
// it names, or else its environments' groups of alerts.
func (ix *stackRules) evaluated(c RuleCase) []string {
	if len(c.RuleGroups) > 0 {
		return c.RuleGroups
	}
	var names []string
	for _, env := range c.Groups {
		names = append(names, ix.envGroups[env]...)
	}
	return names
}

// groupsOf keeps the groups of the rendered file the cases evaluate, in
// the file's order.
func (ix *stackRules) groupsOf(cases []RuleCase) *rulefmt.RuleGroups {
	seen := map[int]bool{}
	for _, c := range cases {
		for _, n := range ix.evaluated(c) {
			if i, ok := ix.pos[n]; ok {
				seen[i] = true
			}
		}
	}
	out := &rulefmt.RuleGroups{}
	for _, i := range slices.Sorted(maps.Keys(seen)) {
		out.Groups = append(out.Groups, ix.all.Groups[i])
	}
	return out
}

// alertNames are the alert names of the groups case c evaluates, sorted.
func (ix *stackRules) alertNames(c RuleCase) []string {
	names := map[string]bool{}
	for _, g := range ix.evaluated(c) {
		for _, a := range ix.groupAlerts[g] {
			names[a] = true
		}
	}
	return slices.Sorted(maps.Keys(names))
}
