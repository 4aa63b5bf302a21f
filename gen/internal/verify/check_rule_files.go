package verify

import (
	"errors"
	"path"

	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// checkRuleFiles parses the rule files with Prometheus 2.54.1's rulefmt:
// structure, PromQL expressions, label names and annotation templates.
func checkRuleFiles(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Alerts
	_, errs := rulefmt.Parse(files[out.Path])
	var ps model.Problems
	for _, err := range errs {
		p := model.Problem{Pos: m.PosOf("", model.PathAlertRules), Also: []string{out.Path}, Scope: "stack: " + path.Base(out.Path),
			Msg: rejects("Prometheus", prometheusModule) + err.Error()}
		var rerr *rulefmt.Error
		if errors.As(err, &rerr) {
			gi, ri := ruleIndex(out.Rules, rerr.Group, rerr.RuleName)
			if gi >= 0 {
				p.Scope = promql.RealAlert{Env: out.Rules.Groups[gi].Env, Rule: out.Rules.Groups[gi].Rules[ri]}.Scope(path.Base(out.Path))
				p.Also = []string{out.Path}
				p.Pos = m.PosOf("", model.PathAlertRuleExpr.At(gi, ri))
			}
		}
		ps = append(ps, p)
	}
	return ps
}

// ruleIndex finds a rule by group name and alert name; -1 when absent.
func ruleIndex(rf model.RuleFile, group, alert string) (int, int) {
	for gi, g := range rf.Groups {
		if g.Name != group {
			continue
		}
		for ri, r := range g.Rules {
			if r.Name() == alert {
				return gi, ri
			}
		}
	}
	return -1, -1
}
