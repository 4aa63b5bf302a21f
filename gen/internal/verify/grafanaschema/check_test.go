package grafanaschema_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/verify/grafanaschema"
)

// vendored is the vendored schema, failing the test when it does not load.
func vendored(t *testing.T) *grafanaschema.Schema {
	t.Helper()
	s, err := grafanaschema.Vendored()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dashboard is a small dashboard Grafana 11.2.2 accepts: a row, a bar gauge,
// a time series with a custom field config and overrides, and a custom
// variable. Each case edits it.
const dashboard = `{
  "uid": "d", "title": "D", "schemaVersion": 39, "editable": true, "graphTooltip": 1,
  "time": {"from": "now-6h", "to": "now"},
  "links": [{"title": "Other", "type": "link", "url": "/d/other", "icon": "dashboard", "asDropdown": false, "includeVars": true, "keepTime": true, "targetBlank": false, "tags": [], "tooltip": ""}],
  "panels": [
    {"type": "row", "id": 1, "title": "Row", "collapsed": false, "gridPos": {"h": 1, "w": 24, "x": 0, "y": 0}, "panels": []},
    {"type": "bargauge", "id": 2, "title": "Bars",
     "targets": [{"refId": "A", "expr": "up", "editorMode": "code", "datasource": {"type": "prometheus", "uid": "p"}}],
     "options": {"displayMode": "gradient", "orientation": "horizontal", "showUnfilled": true,
                 "reduceOptions": {"calcs": ["lastNotNull"], "fields": "", "values": false}},
     "fieldConfig": {"defaults": {"unit": "short", "thresholds": {"mode": "absolute", "steps": [{"color": "blue", "value": null}]}}, "overrides": []}},
    {"type": "timeseries", "id": 3, "title": "Lines",
     "options": {"legend": {"displayMode": "list", "placement": "bottom", "showLegend": true, "calcs": []},
                 "tooltip": {"mode": "multi", "sort": "desc"}},
     "fieldConfig": {"defaults": {"custom": {"drawStyle": "line", "fillOpacity": 10, "spanNulls": false}},
                     "overrides": [{"matcher": {"id": "byFrameRefID", "options": "B"},
                                    "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}},
                                                   {"id": "custom.lineStyle", "value": {"fill": "dash", "dash": [10, 10]}}]}]}}
  ],
  "templating": {"list": [
    {"type": "custom", "name": "environment", "label": "Environment", "query": "production,staging",
     "current": {"selected": true, "text": "production", "value": "production"},
     "options": [{"selected": true, "text": "production", "value": "production"}, {"selected": false, "text": "staging", "value": "staging"}],
     "multi": false, "includeAll": false, "hide": 0}
  ]}
}`

// TestCheckDashboard: the base dashboard passes; each edit is refused with
// the exact finding: unknown properties at every level, wrong enum values,
// wrong kinds, a panel type the release does not have.
func TestCheckDashboard(t *testing.T) {
	s := vendored(t)
	if got, err := s.CheckDashboard([]byte(dashboard)); err != nil || len(got) > 0 {
		t.Fatalf("the base dashboard: %v %v", got, err)
	}
	cases := []struct {
		name     string
		old, new string
		want     []string
	}{
		{"unknown panel option", `"showUnfilled": true,`, `"showUnfilled": true, "legend": {"showLegend": false},`,
			[]string{`dashboard d: panel "Bars": options.legend: not an option of bargauge in Grafana 11.2.2`}},
		{"unknown variable property", `"includeAll": false,`, `"includeAll": false, "allowCustomValue": false, "auto_min": "10s",`,
			[]string{
				`dashboard d: variable "environment": allowCustomValue: not a property of a variable (dashboard.VariableModel) in Grafana 11.2.2`,
				`dashboard d: variable "environment": auto_min: not a property of a variable (dashboard.VariableModel) in Grafana 11.2.2`,
			}},
		{"wrong enum value (panel option)", `"displayMode": "gradient"`, `"displayMode": "neon"`,
			[]string{`dashboard d: panel "Bars": options.displayMode: "neon" is not one of "basic", "gradient", "lcd" (common.BarGaugeDisplayMode) in Grafana 11.2.2`}},
		{"wrong enum value (nested option)", `"sort": "desc"`, `"sort": "descending"`,
			[]string{`dashboard d: panel "Lines": options.tooltip.sort: "descending" is not one of "asc", "desc", "none" (common.SortOrder) in Grafana 11.2.2`}},
		{"wrong enum value (numeric enum)", `"hide": 0`, `"hide": 3`,
			[]string{`dashboard d: variable "environment": hide: 3 is not one of 0, 1, 2 (dashboard.VariableHide) in Grafana 11.2.2`}},
		{"wrong enum value (variable type)", `"type": "custom"`, `"type": "switch"`,
			[]string{`dashboard d: variable "environment": type: "switch" is not one of "adhoc", "constant", "custom", "datasource", "groupby", "interval", "query", "system", "textbox" (dashboard.VariableType) in Grafana 11.2.2`}},
		{"unknown dashboard property", `"editable": true,`, `"editable": true, "sharedCrosshair": true,`,
			[]string{`dashboard d: sharedCrosshair: not a property of a dashboard (dashboard.Dashboard) in Grafana 11.2.2`}},
		{"unknown link property", `"tooltip": ""}`, `"tooltip": "", "placement": "inControlsMenu"}`,
			[]string{`dashboard d: links[0].placement: not a property of dashboard.DashboardLink in Grafana 11.2.2`}},
		{"unknown panel property", `"id": 2,`, `"id": 2, "hoverHeader": true,`,
			[]string{`dashboard d: panel "Bars": hoverHeader: not a property of a panel (dashboard.Panel) in Grafana 11.2.2`}},
		{"unknown custom field config", `"fillOpacity": 10,`, `"fillOpacity": 10, "barWidthFactor2": 1,`,
			[]string{`dashboard d: panel "Lines": fieldConfig.defaults.custom.barWidthFactor2: not a field config option of timeseries in Grafana 11.2.2`}},
		{"wrong enum in an override's custom property", `"fill": "dash"`, `"fill": "dashed"`,
			[]string{`dashboard d: panel "Lines": fieldConfig.overrides[0].custom.lineStyle.fill: "dashed" is not one of "dash", "dot", "solid", "square" in Grafana 11.2.2`}},
		{"unknown override property", `{"id": "color",`, `{"id": "colour",`,
			[]string{`dashboard d: panel "Lines": fieldConfig.overrides[0].colour: not a field config property in Grafana 11.2.2`}},
		{"wrong kind", `"title": "Bars",`, `"title": 7,`,
			[]string{`dashboard d: panel id 2: title: 7 is not a string, as Grafana 11.2.2 wants`}},
		{"query's common property of the wrong kind", `"refId": "A"`, `"refId": 1`,
			[]string{`dashboard d: panel "Bars": targets[0].refId: 1 is not a string, as Grafana 11.2.2 wants`}},
		{"panel type the release does not have", `"type": "bargauge"`, `"type": "trafficlight"`,
			[]string{`dashboard d: panel "Bars": type: "trafficlight": Grafana 11.2.2's @grafana/schema has no panel of that type`}},
		{"unknown property of a row's panel", `"panels": []}`, `"panels": [{"type": "stat", "title": "Inner", "options": {"sparkle": true}}]}`,
			[]string{`dashboard d: panel "Inner": options.sparkle: not an option of stat in Grafana 11.2.2`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Count(dashboard, c.old) != 1 {
				t.Fatalf("the base dashboard has %d of %q, want one", strings.Count(dashboard, c.old), c.old)
			}
			found, err := s.CheckDashboard([]byte(strings.Replace(dashboard, c.old, c.new, 1)))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range found {
				got = append(got, f.String())
			}
			if diff := cmp.Diff(c.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

// TestVendored: exactly one schema is vendored, named after the release it
// describes, with its provenance, and it knows the panel types we render.
func TestVendored(t *testing.T) {
	s := vendored(t)
	name, err := grafanaschema.File()
	if err != nil {
		t.Fatal(err)
	}
	if name != "grafana-schema-"+s.Version+".json" || s.Package != "@grafana/schema" || s.License != "Apache-2.0" {
		t.Errorf("vendored %s: package %s %s, license %s", name, s.Package, s.Version, s.License)
	}
	p := s.Provenance
	if !strings.HasPrefix(p.Integrity, "sha512-") || len(p.SHA256) != 64 || !strings.HasSuffix(p.Tarball, "/schema-"+s.Version+".tgz") {
		t.Errorf("provenance incomplete: %+v", p)
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readme, grafanaschema.Readme(name, s)) {
		t.Errorf("README.md is not what %s writes for the vendored schema", grafanaschema.RegenerateCommand)
	}
	for _, typ := range []string{"timeseries", "stat", "gauge", "bargauge", "table"} {
		if _, ok := s.Panels[typ]; !ok {
			t.Errorf("no panel type %s", typ)
		}
	}
}

// TestParse: a schema whose reference does not resolve, or that is not a
// @grafana/schema derivation, is refused.
func TestParse(t *testing.T) {
	cases := []struct{ name, doc, want string }{
		{"undefined type", `{"package": "@grafana/schema", "version": "1.0.0", "roots": {"dashboard": {"ref": "dashboard.Dashboard"}, "target": "any"}, "types": {}}`,
			"@grafana/schema 1.0.0: undefined types dashboard.Dashboard"},
		{"other package", `{"package": "@grafana/data", "version": "1.0.0", "roots": {"dashboard": "any", "target": "any"}}`,
			`not a @grafana/schema derivation (package "@grafana/data", version "1.0.0")`},
		{"unknown notation", `{"package": "@grafana/schema", "version": "1.0.0", "roots": {"dashboard": "bigint", "target": "any"}}`,
			`unknown primitive type "bigint"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := grafanaschema.Parse([]byte(c.doc))
			if err == nil || err.Error() != c.want {
				t.Errorf("error %v, want %s", err, c.want)
			}
		})
	}
}

// TestIntegrity: npm's integrity string of a tarball (sha512, base64;
// the want is `openssl dgst -sha512 -binary | base64`).
func TestIntegrity(t *testing.T) {
	got := grafanaschema.Integrity([]byte("lms-ops\n"))
	want := "sha512-gYVMZq3fJLPkdxD+mTfLIVdvjCYmHtQ/u1tk+tG1csN1YGjGGhJj5JFYRski89mZYpRvlXRVE7EUHhuXvaV2Rw=="
	if got != want {
		t.Errorf("Integrity = %s, want %s", got, want)
	}
}

// TestUntar: a tarball entry that leaves the directory is refused; others
// are unpacked.
func TestUntar(t *testing.T) {
	tgz := func(name string) []byte {
		var b bytes.Buffer
		zw := gzip.NewWriter(&b)
		tw := tar.NewWriter(zw)
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: 2, Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write([]byte("{}")); err != nil {
			t.Fatal(err)
		}
		if err := tw.Close(); err != nil {
			t.Fatal(err)
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	dir := t.TempDir()
	if err := grafanaschema.Untar(tgz("package/package.json"), dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "package", "package.json")); err != nil {
		t.Error(err)
	}
	err := grafanaschema.Untar(tgz("../escape.json"), dir)
	if err == nil || err.Error() != `tarball entry "../escape.json" leaves the directory` {
		t.Errorf("error %v", err)
	}
}
