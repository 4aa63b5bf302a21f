package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// renderMetricsContract writes the metric catalog as the contract the
// backend team implements: every metric with its type, unit, labels and
// help, and which alerts and dashboards read it.
func renderMetricsContract(s *model.Stack, readers map[string][]string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# LMS backend metrics contract\n\n", s.GeneratedHeader)
	b.WriteString("The LMS API must export these metrics on its metrics endpoint (the scrape\n" +
		"`metrics_path` of `envs/<env>/env.cue`). Every alert and dashboard query reads only these\n" +
		"(gen's `metric-catalog` check), so renaming one here is a breaking change for both.\n\n" +
		"Cardinality: every label is a bounded set. `route` is the route template\n" +
		"(`/api/courses/{id}`), never the raw path; `course_category` is the catalogue category,\n" +
		"never a course id; there is no user, student, session or e-mail label. Prometheus adds\n" +
		"`job`, `instance` and the scrape job's labels (`service`, `environment`) itself.\n\n" +
		"Source: `envs/metrics.cue`.\n\n" +
		"| metric | type | unit | labels | help | read by |\n|---|---|---|---|---|---|\n")
	for _, name := range slices.Sorted(maps.Keys(s.Metrics)) {
		m := s.Metrics[name]
		if m.Source != model.APISource {
			continue // the stack's own metrics are not the backend's contract
		}
		labels := "-"
		if len(m.Labels) > 0 {
			labels = "`" + strings.Join(m.Labels, "`, `") + "`"
		}
		read := "-"
		if r := readers[name]; len(r) > 0 {
			read = strings.Join(r, ", ")
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", name, m.Type, m.Unit, labels, m.Help, read)
	}
	return []byte(b.String())
}

// metricReaders maps each catalog metric to the alerts and dashboards whose
// expressions read it. Expressions that do not parse are skipped here; the
// rule-file and dashboard checks report them.
func metricReaders(s *model.Stack, specs map[string]*dashboards.Spec) map[string][]string {
	readers := map[string][]string{}
	// seen holds what readers lists: a metric has a reader per SLO
	// dashboard, one per environment, and looking each up in the list
	// cost n² in environments.
	seen := map[[2]string]bool{}
	add := func(expr, reader string) {
		parsed, err := parser.ParseExpr(expr)
		if err != nil {
			return
		}
		for _, vs := range promql.Selectors(parsed) {
			m, ok := promql.CatalogMetric(s, vs.Name)
			if k := [2]string{m.Name, reader}; ok && !seen[k] {
				seen[k] = true
				readers[m.Name] = append(readers[m.Name], reader)
			}
		}
	}
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			if r.IsRecord() {
				add(r.Expr, "recording rule "+r.Record)
			} else {
				add(r.Expr, "alert "+r.Alert)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		for _, q := range dashboards.Queries(specs[name]) {
			for _, e := range dashboards.ExpandQueries(q.Expr, specs[name].Variables) {
				add(e, "dashboard "+name)
			}
		}
	}
	return readers
}
