package verify

import (
	"fmt"
	"path"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// prometheusSeries are the series Prometheus itself writes for every
// target or rule; they are not part of the backend's metric catalog.
var prometheusSeries = map[string]bool{
	"up": true, "scrape_duration_seconds": true, "scrape_samples_scraped": true,
	"scrape_samples_post_metric_relabeling": true, "scrape_series_added": true,
	"ALERTS": true, "ALERTS_FOR_STATE": true,
}

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

// checkMetricCatalog: every metric a rule reads is in the catalog (or is a
// series Prometheus writes), and every label it matches on is one the series
// carries: the metric's catalog labels, le for histogram buckets, job,
// instance and the scrape jobs' static labels.
func checkMetricCatalog(m *model.Model, _ output.Files) model.Problems {
	var ps model.Problems
	art := path.Base(m.Stack.Outputs.Alerts.Path)
	for _, r := range parsedRules(m.Stack) {
		for _, msg := range SelectorCatalogProblems(m.Stack, r.expr) {
			ps = append(ps, model.Problem{Pos: exprPos(m, r), Scope: r.Scope(art), Msg: msg})
		}
	}
	return ps
}

// SelectorCatalogProblems checks every selector of expr against the metric
// catalog; the dashboards' queries go through it too.
func SelectorCatalogProblems(s *model.Stack, expr parser.Expr) []string {
	var msgs []string
	raw := promql.RawLabels(s)
	for _, vs := range promql.Selectors(expr) {
		if vs.Name == "" {
			msgs = append(msgs, fmt.Sprintf("selector %s names no metric", vs))
			continue
		}
		_, known := promql.CatalogMetric(s, vs.Name)
		recorded := promql.IsRecorded(s, vs.Name)
		if !known && !recorded && !prometheusSeries[vs.Name] {
			msgs = append(msgs, fmt.Sprintf("metric %s is not in the metric catalog (envs/metrics.cue) nor recorded by a rule", vs.Name))
			continue
		}
		// A recorded series exists only with the labels its rules give
		// it: a selector no recording satisfies reads nothing, ever.
		if recorded && len(promql.Recordings(s, vs)) == 0 {
			msgs = append(msgs, fmt.Sprintf("selector %s matches no series a recording rule writes: no rule records %s with those labels", vs, vs.Name))
			continue
		}
		carried := raw(vs)
		for _, mt := range vs.LabelMatchers {
			if mt.Name != labels.MetricName && !carried[mt.Name] {
				msgs = append(msgs, fmt.Sprintf("metric %s has no label %q (it carries %s)", vs.Name, mt.Name, strings.Join(carried.Sorted(), ", ")))
			}
		}
	}
	return msgs
}

// checkJobCoverage: every job matcher of a rule matches a scrape job, and
// every scrape job has an alert on its `up` series (or a documented reason
// in settings.prometheus.unalerted_jobs).
func checkJobCoverage(m *model.Model, _ output.Files) model.Problems {
	var ps model.Problems
	s := m.Stack
	if !promql.AllRulesParse(s) {
		return nil
	}
	art := path.Base(s.Outputs.Alerts.Path)
	covered := map[string]bool{}
	for _, r := range parsedRules(s) {
		pos := func() string { return exprPos(m, r) }
		for _, vs := range promql.Selectors(r.expr) {
			jobs := promql.JobsMatching(s, vs)
			for _, mt := range vs.LabelMatchers {
				if mt.Name == "job" && len(jobs) == 0 {
					ps = append(ps, model.Problem{Pos: pos(), Scope: r.Scope(art), Msg: fmt.Sprintf("job matcher %s matches no scrape job", mt)})
				}
			}
			if vs.Name == "up" {
				for _, j := range jobs {
					covered[j.JobName] = true
				}
			}
		}
	}
	for i, j := range s.Outputs.Prometheus.Config.ScrapeConfigs {
		if _, exempt := s.Settings.Prometheus.UnalertedJobs[j.JobName]; !covered[j.JobName] && !exempt {
			ps = append(ps, model.Problem{
				Pos:   m.PosOf("", model.PathPrometheusJobName.At(i)),
				Scope: "stack: " + path.Base(s.Outputs.Prometheus.Path) + ": job " + j.JobName,
				Msg:   "no alert watches up{job=\"" + j.JobName + "\"}; add one, or a reason to settings.prometheus.unalerted_jobs",
			})
		}
	}
	return ps
}
