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
