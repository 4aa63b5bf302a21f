package verify

import (
	"maps"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/render"
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
	want := []string{m.PosOf("", "versions.grafana") + `: stack: versions: grafana is "11.3.0", but the dashboards are held to Grafana 11.2.2's schema (gen/internal/verify/grafanaschema/grafana-schema-11.2.2.json); derive the deployed release's with go run mage.go grafanaschema (maintainers, needs npm), then run gen`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(want[0], "envs/stack.cue:") {
		t.Errorf("the problem is not at versions.grafana in envs/stack.cue: %s", want[0])
	}
}
