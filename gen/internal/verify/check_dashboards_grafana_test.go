package verify

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/verify/grafanaschema"
)

// TestDashboardsGrafana: the fixture's dashboards pass the dashboards-grafana
// check, and an unknown panel option, an unknown variable property and a
// wrong enum value are each refused with the exact message, naming the
// dashboard, the panel or variable and the property path.
func TestDashboardsGrafana(t *testing.T) {
	m, good := generate(t)
	if ps := checkDashboardsGrafana(m, good); len(ps) > 0 {
		t.Fatalf("the fixture's dashboards fail:\n%v", ps)
	}
	// What the check covers, for the record (go test -v -run DashboardsGrafana).
	s, err := grafanaSchema()
	if err != nil {
		t.Fatal(err)
	}
	var total grafanaschema.Coverage
	specs, err := render.DashboardSpecs(m.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for name := range specs {
		_, cov, err := s.CheckDashboardCoverage(good[render.DashboardPath(m.Stack, name)])
		if err != nil {
			t.Fatal(err)
		}
		total.Properties += cov.Properties
		total.EnumValues += cov.EnumValues
	}
	if total.EnumValues == 0 || total.Properties == 0 {
		t.Errorf("the check covered nothing: %+v", total)
	}
	t.Logf("%d dashboards: %d properties and %d enum values held to Grafana %s's schema", len(specs), total.Properties, total.EnumValues, s.Version)
	course := render.DashboardPath(m.Stack, "lms-course-performance")
	api := render.DashboardPath(m.Stack, "lms-api-overview")
	cases := []struct {
		name     string
		path     string
		old, new string
		want     string
	}{
		{
			"unknown panel option", course,
			`"showUnfilled": true,`, `"showUnfilled": true, "legend": {"showLegend": false},`,
			course + `: stack: dashboard lms-course-performance: panel "Completions per enrollment by category": options.legend: not an option of bargauge in Grafana 11.2.2`,
		},
		{
			"unknown variable property", api,
			`"includeAll": false`, `"includeAll": false, "allowCustomValue": false`,
			api + `: stack: dashboard lms-api-overview: variable "environment": allowCustomValue: not a property of a variable (dashboard.VariableModel) in Grafana 11.2.2`,
		},
		{
			"wrong enum value", course,
			`"displayMode": "gradient",`, `"displayMode": "neon",`,
			course + `: stack: dashboard lms-course-performance: panel "Completions per enrollment by category": options.displayMode: "neon" is not one of "basic", "gradient", "lcd" (common.BarGaugeDisplayMode) in Grafana 11.2.2`,
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Count(string(good[c.path]), c.old) != 1 {
				t.Fatalf("%s has %d of %q, want one", c.path, strings.Count(string(good[c.path]), c.old), c.old)
			}
			files := maps.Clone(good)
			files[c.path] = []byte(strings.Replace(string(good[c.path]), c.old, c.new, 1))
			var got []string
			for _, p := range checkDashboardsGrafana(m, files) {
				got = append(got, p.String())
			}
			if diff := cmp.Diff([]string{c.want}, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

// TestDashboardsGrafanaVersion: when versions.grafana is not the vendored
// schema's release, the check fails at versions.grafana and says how to
// regenerate the schema.
func TestDashboardsGrafanaVersion(t *testing.T) {
	m, good := generate(t)
	m.Stack.Versions.Grafana = "11.3.0"
	var got []string
	for _, p := range checkDashboardsGrafana(m, good) {
		got = append(got, p.String())
	}
	want := []string{m.PosOf("", model.PathVersionGrafana) + `: stack: versions: grafana is "11.3.0", but the dashboards are held to Grafana 11.2.2's schema (gen/internal/verify/grafanaschema/grafana-schema-11.2.2.json); derive the deployed release's with go run mage.go grafanaschema (maintainers, needs npm), then run gen`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(want[0], "envs/stack.cue:") {
		t.Errorf("the problem is not at versions.grafana in envs/stack.cue: %s", want[0])
	}
}
