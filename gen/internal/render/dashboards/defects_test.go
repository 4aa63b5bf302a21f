package dashboards_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// testSpec is a small valid spec: one row, three panels on one line.
func testSpec() *dashboards.Spec {
	q := func(expr string) []dashboards.Target {
		return []dashboards.Target{{RefID: "A", Expr: expr, LegendFormat: "__auto"}}
	}
	return &dashboards.Spec{
		Title: "Test", UID: "test-dashboard", Description: "A test dashboard.",
		Tags: []string{"test"}, SchemaVersion: 39,
		Time: dashboards.TimeRange{From: "now-1h", To: "now"}, Refresh: "1m",
		Datasource: dashboards.Datasource{Type: "prometheus", UID: "prom"},
		Variables:  []dashboards.Variable{{Name: "environment", Label: "Environment", Description: "env", Values: []string{"production", "staging"}}},
		Rows: []dashboards.Row{{Title: "Row", Panels: []dashboards.Panel{
			{Kind: dashboards.KindStat, Title: "One", Description: "d", Unit: "reqps", Width: 8, Height: 4, Queries: q(`sum(up{environment="$environment"})`)},
			{Kind: dashboards.KindTimeseries, Title: "Two", Description: "d", Unit: "s", Width: 8, Height: 4, Queries: q(`sum(rate(x{environment="$environment"}[$__rate_interval]))`)},
			{Kind: dashboards.KindTable, Title: "Three", Description: "d", Unit: "short", Width: 8, Height: 4, Queries: q(`topk(3, y{environment="$environment"})`)},
		}}},
	}
}

func buildTest(t *testing.T) []byte {
	t.Helper()
	data, err := dashboards.Build(testSpec(), dashboards.Context{DatasourceUID: "prom"})
	if err != nil {
		t.Fatal(err)
	}
	for _, check := range []func([]byte) error{dashboards.StrictRoundTrip, dashboards.Layout} {
		if err := check(data); err != nil {
			t.Fatalf("the valid test dashboard fails a check: %v", err)
		}
	}
	if err := dashboards.CheckDatasources(data, "prom"); err != nil {
		t.Fatalf("the valid test dashboard fails a check: %v", err)
	}
	return data
}

// replaceOnce replaces the first occurrence of old in data, which must exist.
func replaceOnce(t *testing.T, data []byte, old, new string) []byte {
	t.Helper()
	if !strings.Contains(string(data), old) {
		t.Fatalf("test dashboard has no %q", old)
	}
	return []byte(strings.Replace(string(data), old, new, 1))
}

// setGridPos rewrites the gridPos (and optionally the id) of the panel titled
// title; dashboards.Layout reads JSON, so key order does not matter here.
func setGridPos(t *testing.T, data []byte, title string, edit func(p map[string]any)) []byte {
	t.Helper()
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range d["panels"].([]any) {
		if p := p.(map[string]any); p["title"] == title {
			edit(p)
			found = true
		}
	}
	if !found {
		t.Fatalf("no panel %q", title)
	}
	out, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestChecksCatchDefects(t *testing.T) {
	data := buildTest(t)
	pos := func(x, y, w, h float64) map[string]any { return map[string]any{"x": x, "y": y, "w": w, "h": h} }
	for _, c := range []struct {
		name  string
		check func([]byte) error
		data  []byte
		want  string
	}{{
		name:  "overlapping panels",
		check: dashboards.Layout,
		data:  setGridPos(t, data, "Two", func(p map[string]any) { p["gridPos"] = pos(4, 1, 8, 4) }),
		want:  `dashboard "test-dashboard": timeseries "Two": gridPos {4 1 8 4} overlaps stat "One" at {0 1 8 4}`,
	}, {
		name:  "panel over the row header",
		check: dashboards.Layout,
		data:  setGridPos(t, data, "Two", func(p map[string]any) { p["gridPos"] = pos(8, 0, 8, 4) }),
		want:  `timeseries "Two": gridPos {8 0 8 4} overlaps row "Row" at {0 0 24 1}`,
	}, {
		name:  "duplicate panel id",
		check: dashboards.Layout,
		data:  setGridPos(t, data, "Three", func(p map[string]any) { p["id"] = 2 }),
		want:  `dashboard "test-dashboard": table "Three": id 2 is also the id of "One"`,
	}, {
		name:  "wider than the grid",
		check: dashboards.Layout,
		data:  setGridPos(t, data, "Three", func(p map[string]any) { p["gridPos"] = pos(16, 1, 10, 4) }),
		want:  `dashboard "test-dashboard": table "Three": gridPos x 16 + w 10 = 26 is beyond the 24 columns`,
	}, {
		name:  "panel without id",
		check: dashboards.Layout,
		data:  setGridPos(t, data, "One", func(p map[string]any) { delete(p, "id") }),
		want:  `stat "One": no id`,
	}, {
		name:  "unknown top-level field",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"refresh": "1m",`, `"refresh": "1m", "refreshh": "5m",`),
		want:  `dashboard "test-dashboard": strict decode: Dashboard: unexpected field 'refreshh'`,
	}, {
		name:  "unknown panel field",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"title": "Two",`, `"title": "Two", "gridpos": {},`),
		want:  `unexpected field 'gridpos'`,
	}, {
		name:  "unknown query field",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"legendFormat": "__auto",`, `"legendFormat": "__auto", "legend": "x",`),
		want:  `unexpected field 'legend'`,
	}, {
		name:  "unknown panel option",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"graphMode": "area",`, `"graphMode": "area", "graph": "area",`),
		want:  `unexpected field 'graph'`,
	}, {
		// fieldConfig.defaults is decoded leniently by the SDK; the
		// byte comparison catches what it drops.
		name:  "unknown field config default",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"unit": "reqps",`, `"unit": "reqps", "units": "reqps",`),
		want:  `re-encoding differs from the input`,
	}, {
		name:  "wrong type",
		check: dashboards.StrictRoundTrip,
		data:  replaceOnce(t, data, `"schemaVersion": 39,`, `"schemaVersion": "39",`),
		want:  `schemaVersion`,
	}, {
		name:  "wrong datasource uid on a query",
		check: func(d []byte) error { return dashboards.CheckDatasources(d, "prom") },
		data:  replaceOnce(t, data, `"uid": "prom"`, `"uid": "prometheus"`),
		want:  `dashboard "test-dashboard": panel "One" query A: datasource uid "prometheus" is not provisioned (provisioned: prom)`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			err := c.check(c.data)
			if err == nil {
				t.Fatalf("check passed; want an error containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
		})
	}
}

func TestBuildAndDecodeRejectBadSpecs(t *testing.T) {
	valid, err := json.Marshal(testSpec())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := dashboards.Decode(valid); err != nil {
		t.Fatalf("dashboards.Decode(valid spec): %v", err)
	}
	for _, c := range []struct {
		name string
		run  func() error
		want string
	}{{
		name: "datasource is not the provisioned one",
		run: func() error {
			_, err := dashboards.Build(testSpec(), dashboards.Context{DatasourceUID: "prometheus"})
			return err
		},
		want: `dashboard "test-dashboard": datasource uid "prom" is not the provisioned datasource "prometheus"`,
	}, {
		name: "unknown spec field",
		run: func() error {
			_, err := dashboards.Decode(json.RawMessage(strings.Replace(string(valid), `"unit":"s"`, `"unit":"s","units":"s"`, 1)))
			return err
		},
		want: `dashboard spec: json: unknown field "units"`,
	}, {
		name: "trailing data",
		run: func() error {
			_, err := dashboards.Decode(json.RawMessage(string(valid) + "{}"))
			return err
		},
		want: `dashboard "test-dashboard": trailing data after the spec`,
	}, {
		name: "variable without values",
		run: func() error {
			s := testSpec()
			s.Variables[0].Values = nil
			_, err := dashboards.Build(s, dashboards.Context{DatasourceUID: "prom"})
			return err
		},
		want: `dashboard "test-dashboard": variable "environment" has no value`,
	}, {
		name: "panel wider than the grid",
		run: func() error {
			s := testSpec()
			s.Rows[0].Panels[1].Width = 25
			return s.Validate()
		},
		want: `dashboard "test-dashboard": panel "Two": width 25 is outside 1..24`,
	}, {
		name: "duplicate refId",
		run: func() error {
			s := testSpec()
			p := &s.Rows[0].Panels[0]
			p.Queries = append(p.Queries, p.Queries[0])
			return s.Validate()
		},
		want: `dashboard "test-dashboard": panel "One": duplicate refId "A"`,
	}, {
		name: "duplicate panel title",
		run: func() error {
			s := testSpec()
			s.Rows[0].Panels[2].Title = "One"
			return s.Validate()
		},
		want: `dashboard "test-dashboard": panel "One": duplicate panel title`,
	}, {
		name: "duplicate uid and dangling link",
		run: func() error {
			a, b := testSpec(), testSpec()
			b.Links = []dashboards.Link{{Title: "Elsewhere", UID: "no-such-dashboard"}}
			return dashboards.CheckSpecs(map[string]*dashboards.Spec{"a": a, "b": b})
		},
		want: `dashboard "b": uid "test-dashboard" is also the uid of dashboard "a"`,
	}} {
		t.Run(c.name, func(t *testing.T) {
			err := c.run()
			if err == nil {
				t.Fatalf("no error; want one containing %q", c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error:\n%v\nwant it to contain:\n%s", err, c.want)
			}
		})
	}
}

// TestLayoutWraps pins the row/width layout: panels wrap to a new line when
// the next one would cross column 24, and the next row starts below the
// tallest panel.
func TestLayoutWraps(t *testing.T) {
	s := testSpec()
	s.Rows[0].Panels[1].Width = 20 // One 0..8, Two does not fit after it
	s.Rows[0].Panels[1].Height = 6
	s.Rows = append(s.Rows, dashboards.Row{Title: "Second", Panels: []dashboards.Panel{s.Rows[0].Panels[2]}})
	s.Rows[1].Panels[0].Title = "Four"
	data, err := dashboards.Build(s, dashboards.Context{DatasourceUID: "prom"})
	if err != nil {
		t.Fatal(err)
	}
	if err := dashboards.Layout(data); err != nil {
		t.Fatal(err)
	}
	type layoutPos struct{ X, Y, W, H int }
	var d struct {
		Panels []struct {
			Title   string     `json:"title"`
			GridPos *layoutPos `json:"gridPos"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	got := map[string]layoutPos{}
	for _, p := range d.Panels {
		got[p.Title] = *p.GridPos
	}
	want := map[string]layoutPos{
		"Row":    {0, 0, 24, 1},
		"One":    {0, 1, 8, 4},
		"Two":    {0, 5, 20, 6},
		"Three":  {0, 11, 8, 4},
		"Second": {0, 15, 24, 1},
		"Four":   {0, 16, 8, 4},
	}
	for title, w := range want {
		if got[title] != w {
			t.Errorf("%s at %v, want %v", title, got[title], w)
		}
	}
}

func TestSchemaVersion(t *testing.T) {
	v, err := dashboards.SchemaVersion(buildTest(t))
	if err != nil || v != 39 {
		t.Fatalf("dashboards.SchemaVersion = %d, %v; want 39", v, err)
	}
	if dashboards.SDKSchemaVersion() <= 39 {
		t.Fatalf("dashboards.SDKSchemaVersion() = %d; the SDK was expected to target a newer Grafana than 11.2", dashboards.SDKSchemaVersion())
	}
}
