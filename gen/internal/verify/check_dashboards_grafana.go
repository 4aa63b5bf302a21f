package verify

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/verify/grafanaschema"
)

// grafanaSchema is the vendored schema of the Grafana release dashboards are
// held to; a variable so that a test can stand for another vendored release.
var grafanaSchema = grafanaschema.Vendored

// checkDashboardsGrafana holds every generated dashboard to the schema of
// the Grafana release we deploy (versions.grafana), as its npm package
// @grafana/schema declares it: the foundation SDK's types are Grafana 12's
// and accept properties 11.2 does not have. The schema is vendored; when it
// is another release's, nothing is checked against it and the problem says
// how to regenerate it.
func checkDashboardsGrafana(m *model.Model, files output.Files) model.Problems {
	s, err := grafanaSchema()
	if err != nil {
		return model.Problems{{Scope: "stack: dashboards", Msg: "the vendored Grafana schema: " + err.Error()}}
	}
	deployed := m.Stack.Versions.Grafana
	if s.Version != deployed {
		file, _ := grafanaschema.File()
		return model.Problems{{Pos: m.PosOf("", model.PathVersionGrafana), Scope: "stack: versions",
			Msg: fmt.Sprintf("grafana is %q, but the dashboards are held to Grafana %s's schema (%s); derive the deployed release's with %s (maintainers, needs npm), then run gen",
				deployed, s.Version, path.Join(grafanaschema.Dir, file), grafanaschema.RegenerateCommand)}}
	}
	specs, err := render.DashboardSpecs(m.Stack)
	if err != nil {
		return model.Problems{{Scope: "stack: dashboards", Msg: err.Error()}}
	}
	var ps model.Problems
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		p := render.DashboardPath(m.Stack, name)
		found, err := s.CheckDashboard(files[p])
		if err != nil {
			ps = append(ps, model.Problem{Pos: p, Scope: "stack: dashboard " + name, Msg: err.Error()})
			continue
		}
		for _, f := range found {
			ps = append(ps, model.Problem{Pos: p, Scope: "stack: dashboard " + name, Msg: f.Detail()})
		}
	}
	return ps
}
