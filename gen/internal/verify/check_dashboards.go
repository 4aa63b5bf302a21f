package verify

import (
	"fmt"
	"maps"
	"slices"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// checkDashboards proves every generated dashboard: it decodes strictly
// into the foundation SDK's dashboard type and re-encodes to the same bytes;
// panel ids are unique and the grid fits 24 columns without overlaps; every
// panel's datasource is the provisioned one; uids are unique across
// dashboards and links resolve; and every query parses as PromQL (with each
// value of the dashboard's variables) and reads only catalog metrics and
// labels.
func checkDashboards(m *model.Model, files output.Files) model.Problems {
	s := m.Stack
	specs, err := render.DashboardSpecs(s)
	if err != nil {
		return model.Problems{{Scope: "stack: dashboards", Msg: err.Error()}}
	}
	var ps model.Problems
	if err := dashboards.CheckSpecs(specs); err != nil {
		ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathDashboards), Scope: "stack: dashboards", Msg: err.Error()})
	}
	var provisioned []string
	for _, d := range s.Outputs.GrafanaDatasources.Config.Datasources {
		provisioned = append(provisioned, d.UID)
	}
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		p := render.DashboardPath(s, name)
		data := files[p]
		scope := "stack: dashboard " + name
		for _, err := range []error{
			dashboards.StrictRoundTrip(data),
			dashboards.Layout(data),
			dashboards.CheckDatasources(data, provisioned...),
		} {
			if err != nil {
				ps = append(ps, model.Problem{Pos: p, Scope: scope, Msg: err.Error()})
			}
		}
		for _, msg := range queryProblems(s, specs[name]) {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathDashboard.At(name)), Scope: scope, Rule: "metric-catalog", Msg: msg})
		}
	}
	return ps
}

// queryProblems parses every query once per combination of the dashboard's
// variable values, and checks it against the metric catalog.
func queryProblems(s *model.Stack, spec *dashboards.Spec) []string {
	var msgs []string
	seen := map[string]bool{}
	for _, q := range dashboards.Queries(spec) {
		for _, expr := range dashboards.ExpandQueries(q.Expr, spec.Variables) {
			parsed, err := parser.ParseExpr(expr)
			var found []string
			if err != nil {
				found = []string{"does not parse as PromQL: " + err.Error()}
			} else {
				found = SelectorCatalogProblems(s, parsed)
			}
			for _, f := range found {
				msg := fmt.Sprintf("panel %q, query %s: %s", q.Panel, q.RefID, f)
				if !seen[msg] {
					seen[msg] = true
					msgs = append(msgs, msg)
				}
			}
		}
	}
	return msgs
}
