package gen

import (
	"fmt"
	"path"
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
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
	realAlert
	expr parser.Expr
}

// allRulesParse reports whether every rule expression parses. The checks
// that infer labels from expressions skip when one does not: its labels are
// unknown, and checkRuleFiles reports the cause.
func allRulesParse(s *Stack) bool {
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			if _, err := parser.ParseExpr(r.Expr); err != nil {
				return false
			}
		}
	}
	return true
}

// parsedRules parses every rule expression; rules that do not parse are
// left to checkRuleFiles.
func parsedRules(s *Stack) []parsedRule {
	var out []parsedRule
	for _, a := range realAlerts(s) {
		if expr, err := parser.ParseExpr(a.rule.Expr); err == nil {
			out = append(out, parsedRule{a, expr})
		}
	}
	return out
}

// exprPos is where the CUE model writes the rule's expression.
func exprPos(m *Model, r parsedRule) string {
	return m.PosOf("", fmt.Sprintf("outputs.alerts.rules.groups[%d].rules[%d].expr", r.gi, r.ri))
}

// checkMetricCatalog: every metric a rule reads is in the catalog (or is a
// series Prometheus writes), and every label it matches on is one the series
// carries: the metric's catalog labels, le for histogram buckets, job,
// instance and the scrape jobs' static labels.
func checkMetricCatalog(m *Model, _ Files) Problems {
	var ps Problems
	art := path.Base(m.Stack.Outputs.Alerts.Path)
	for _, r := range parsedRules(m.Stack) {
		for _, msg := range SelectorCatalogProblems(m.Stack, r.expr) {
			ps = append(ps, Problem{Pos: exprPos(m, r), Scope: r.scope(art), Msg: msg})
		}
	}
	return ps
}

// SelectorCatalogProblems checks every selector of expr against the metric
// catalog; the dashboards' queries go through it too.
func SelectorCatalogProblems(s *Stack, expr parser.Expr) []string {
	var msgs []string
	raw := rawLabels(s)
	for _, vs := range selectors(expr) {
		if vs.Name == "" {
			msgs = append(msgs, fmt.Sprintf("selector %s names no metric", vs))
			continue
		}
		_, known := catalogMetric(s, vs.Name)
		if !known && !prometheusSeries[vs.Name] {
			msgs = append(msgs, fmt.Sprintf("metric %s is not in the metric catalog (envs/metrics.cue)", vs.Name))
			continue
		}
		carried := raw(vs)
		for _, mt := range vs.LabelMatchers {
			if mt.Name != labels.MetricName && !carried[mt.Name] {
				msgs = append(msgs, fmt.Sprintf("metric %s has no label %q (it carries %s)", vs.Name, mt.Name, strings.Join(carried.sorted(), ", ")))
			}
		}
	}
	return msgs
}

// checkJobCoverage: every job matcher of a rule matches a scrape job, and
// every scrape job has an alert on its `up` series (or a documented reason
// in settings.prometheus.unalerted_jobs).
func checkJobCoverage(m *Model, _ Files) Problems {
	var ps Problems
	s := m.Stack
	if !allRulesParse(s) {
		return nil
	}
	art := path.Base(s.Outputs.Alerts.Path)
	covered := map[string]bool{}
	for _, r := range parsedRules(s) {
		pos := func() string { return exprPos(m, r) }
		for _, vs := range selectors(r.expr) {
			jobs := jobsMatching(s, vs)
			for _, mt := range vs.LabelMatchers {
				if mt.Name == "job" && len(jobs) == 0 {
					ps = append(ps, Problem{Pos: pos(), Scope: r.scope(art), Msg: fmt.Sprintf("job matcher %s matches no scrape job", mt)})
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
			ps = append(ps, Problem{
				Pos:   m.PosOf("", fmt.Sprintf("outputs.prometheus.config.scrape_configs[%d].job_name", i)),
				Scope: "stack: " + path.Base(s.Outputs.Prometheus.Path) + ": job " + j.JobName,
				Msg:   "no alert watches up{job=\"" + j.JobName + "\"}; add one, or a reason to settings.prometheus.unalerted_jobs",
			})
		}
	}
	return ps
}
