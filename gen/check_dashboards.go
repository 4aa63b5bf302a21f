package gen

import (
	"fmt"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/dashboards"
)

// grafanaVariables are the values Grafana's built-in variables stand for
// when a query is parsed: any valid duration will do, PromQL only needs the
// syntax to be right.
var grafanaVariables = []string{
	"$__rate_interval", "1m",
	"$__interval", "1m",
	"$__range", "6h",
}

// checkDashboards proves every generated dashboard: it decodes strictly
// into the foundation SDK's dashboard type and re-encodes to the same bytes;
// panel ids are unique and the grid fits 24 columns without overlaps; every
// panel's datasource is the provisioned one; uids are unique across
// dashboards and links resolve; and every query parses as PromQL (with each
// value of the dashboard's variables) and reads only catalog metrics and
// labels.
func checkDashboards(m *Model, files Files) Problems {
	s := m.Stack
	specs, err := dashboardSpecs(s)
	if err != nil {
		return Problems{{Scope: "stack: dashboards", Msg: err.Error()}}
	}
	var ps Problems
	if err := dashboards.CheckSpecs(specs); err != nil {
		ps = append(ps, Problem{Pos: m.PosOf("", "dashboards"), Scope: "stack: dashboards", Msg: err.Error()})
	}
	var provisioned []string
	for _, d := range s.Outputs.GrafanaDatasources.Config.Datasources {
		provisioned = append(provisioned, d.UID)
	}
	for _, name := range sortedKeys(specs) {
		p := dashboardPath(s, name)
		data := files[p]
		scope := "stack: dashboard " + name
		for _, err := range []error{
			dashboards.StrictRoundTrip(data),
			dashboards.Layout(data),
			dashboards.CheckDatasources(data, provisioned...),
		} {
			if err != nil {
				ps = append(ps, Problem{Pos: p, Scope: scope, Msg: err.Error()})
			}
		}
		for _, msg := range queryProblems(s, specs[name]) {
			ps = append(ps, Problem{Pos: m.PosOf("", "dashboards."+cuePathLabel(name)), Scope: scope, Rule: "metric-catalog", Msg: msg})
		}
	}
	return ps
}

// queryProblems parses every query once per combination of the dashboard's
// variable values, and checks it against the metric catalog.
func queryProblems(s *Stack, spec *dashboards.Spec) []string {
	var msgs []string
	seen := map[string]bool{}
	for _, q := range dashboards.Queries(spec) {
		for _, expr := range expandVariables(q.Expr, spec.Variables) {
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

// expandVariables substitutes Grafana's built-in variables and every value
// of each dashboard variable, giving one query per combination.
func expandVariables(expr string, vars []dashboards.Variable) []string {
	out := []string{strings.NewReplacer(grafanaVariables...).Replace(expr)}
	for _, v := range vars {
		var next []string
		for _, e := range out {
			for _, val := range v.Values {
				next = append(next, strings.NewReplacer("${"+v.Name+"}", val, "$"+v.Name, val).Replace(e))
			}
		}
		if len(next) > 0 {
			out = next
		}
	}
	return out
}

// cuePathLabel quotes a field name for a CUE path when it is not an
// identifier (dashboard names have dashes).
func cuePathLabel(name string) string {
	return fmt.Sprintf("%q", name)
}
