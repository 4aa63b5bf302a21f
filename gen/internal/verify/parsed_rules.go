package verify

import (
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// parsedRule is a rule with its parsed expression.
type parsedRule struct {
	promql.RealAlert
	expr parser.Expr
}

// parsedRules parses every rule expression, the alerts' and the recording
// rules'; rules that do not parse are left to checkRuleFiles.
func parsedRules(s *model.Stack) []parsedRule {
	var out []parsedRule
	for _, a := range promql.RealAlerts(s) {
		if expr, err := parser.ParseExpr(a.Rule.Expr); err == nil {
			out = append(out, parsedRule{a, expr})
		}
	}
	for gi, g := range s.Outputs.Alerts.Rules.Groups {
		for ri, r := range g.Rules {
			if expr, err := parser.ParseExpr(r.Expr); err == nil && r.IsRecord() {
				out = append(out, parsedRule{promql.RealAlert{Env: g.Env, Rule: r, GI: gi, RI: ri}, expr})
			}
		}
	}
	return out
}

// exprPos is where the CUE model writes the rule's expression.
func exprPos(m *model.Model, r parsedRule) string {
	return m.PosOf("", model.PathAlertRuleExpr.At(r.GI, r.RI))
}
