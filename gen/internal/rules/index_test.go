package rules

import (
	"slices"
	"testing"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/lms/lms-ops/gen/internal/model"
)

// indexStack is a stack of two environments' groups, an SLO's and the
// stack's own, whose rules overlap the ways ruleOf must tell apart.
func indexStack() *model.Stack {
	rule := func(alert, expr string, labels map[string]string) model.AlertRule {
		return model.AlertRule{Alert: alert, Expr: expr, Labels: labels}
	}
	var s model.Stack
	s.Outputs.Alerts.Rules.Groups = []model.RuleGroup{
		{Env: "prod", Name: "lms-prod", Rules: []model.AlertRule{
			rule("Down", "prod down", map[string]string{"environment": "production", "severity": "critical"}),
			rule("High", "prod high", map[string]string{"environment": "production", "severity": "warning"}),
		}},
		{Env: "staging", Name: "lms-staging", Rules: []model.AlertRule{
			rule("Down", "staging down", map[string]string{"environment": "staging", "severity": "critical"}),
			// Shadowed: the one above has the same labels and comes first.
			rule("Down", "staging down again", map[string]string{"environment": "staging", "severity": "critical"}),
		}},
		{Env: "prod", SLO: "availability", Name: "lms-slo-prod", Rules: []model.AlertRule{
			{Record: "slo:ratio", Expr: "x"},
			rule("Burn", "burn", map[string]string{"environment": "production", "tier": "page"}),
		}},
		{Env: "stack", Name: "stack", Rules: []model.AlertRule{
			// Any environment's High with no severity: after prod's
			// High, so prod's warning is prod's rule.
			rule("High", "stack high", map[string]string{"tier": ""}),
			rule("Watchdog", "vector(1)", nil),
		}},
	}
	return &s
}

// TestRuleOf: the index finds what walking every rule in file order finds,
// the first rule of the name whose every label the alert carries.
func TestRuleOf(t *testing.T) {
	ix := indexRules(indexStack(), nil)
	for _, tc := range []struct {
		alert map[string]string
		want  string // the rule's expr; "" for none
	}{
		{map[string]string{"alertname": "Down", "environment": "production", "severity": "critical"}, "prod down"},
		{map[string]string{"alertname": "Down", "environment": "staging", "severity": "critical", "job": "x"}, "staging down"},
		{map[string]string{"alertname": "Down", "environment": "staging", "severity": "warning"}, ""},
		{map[string]string{"alertname": "High", "environment": "production", "severity": "warning"}, "prod high"},
		// A label of value "" is matched by an alert without it.
		{map[string]string{"alertname": "High", "environment": "staging", "severity": "warning"}, "stack high"},
		{map[string]string{"alertname": "High", "environment": "staging", "tier": "page"}, ""},
		{map[string]string{"alertname": "Burn", "environment": "production", "tier": "page", "slo": "availability"}, "burn"},
		{map[string]string{"alertname": "Watchdog", "environment": "production"}, "vector(1)"},
		{map[string]string{"alertname": "slo:ratio"}, ""},
		{map[string]string{"alertname": "Nothing"}, ""},
	} {
		r, ok := ix.ruleOf(tc.alert)
		if got := map[bool]string{true: r.Expr}[ok]; got != tc.want {
			t.Errorf("ruleOf(%v) = %q, want %q", tc.alert, got, tc.want)
		}
	}
}

// TestEvaluatedGroups: a case evaluates the groups it names, or else its
// environments' groups of alerts; groupsOf keeps those of the file, in its
// order, and alertNames their alerts.
func TestEvaluatedGroups(t *testing.T) {
	s := indexStack()
	all := &rulefmt.RuleGroups{}
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		all.Groups = append(all.Groups, rulefmt.RuleGroup{Name: g.Name})
	}
	ix := indexRules(s, all)
	for _, tc := range []struct {
		cases  []RuleCase
		groups []string
		alerts []string
	}{
		{[]RuleCase{{Groups: []string{"prod"}}}, []string{"lms-prod"}, []string{"Down", "High"}},
		{[]RuleCase{{Groups: []string{"staging", "prod"}}}, []string{"lms-prod", "lms-staging"}, []string{"Down", "High"}},
		{[]RuleCase{{RuleGroups: []string{"lms-slo-prod"}}}, []string{"lms-slo-prod"}, []string{"Burn"}},
		{[]RuleCase{{RuleGroups: []string{"stack"}}, {Groups: []string{"staging"}}}, []string{"lms-staging", "stack"}, []string{"High", "Watchdog"}},
	} {
		var groups []string
		for _, g := range ix.groupsOf(tc.cases).Groups {
			groups = append(groups, g.Name)
		}
		if !slices.Equal(groups, tc.groups) {
			t.Errorf("groupsOf(%+v) = %v, want %v", tc.cases, groups, tc.groups)
		}
		if got := ix.alertNames(tc.cases[0]); !slices.Equal(got, tc.alerts) {
			t.Errorf("alertNames(%+v) = %v, want %v", tc.cases[0], got, tc.alerts)
		}
	}
}
