package dashboards_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// TestVariableOffersOnlyItsValues: on Grafana 11.2 a custom variable is
// limited to our environments only by what it offers, since 11.2 has no
// allowCustomValue: its query and options are exactly the spec's values,
// the first selected, no "All" and no multi-select; and none of the SDK's
// Grafana 12 properties (allowCustomValue, auto, auto_min, auto_count) is
// written.
func TestVariableOffersOnlyItsValues(t *testing.T) {
	var d struct {
		Templating struct {
			List []map[string]any `json:"list"`
		} `json:"templating"`
	}
	if err := json.Unmarshal(buildTest(t), &d); err != nil {
		t.Fatal(err)
	}
	if len(d.Templating.List) != 1 {
		t.Fatalf("%d variables, want 1", len(d.Templating.List))
	}
	v := d.Templating.List[0]
	opt := func(val string, selected bool) any {
		return map[string]any{"selected": selected, "text": val, "value": val}
	}
	want := map[string]any{
		"type": "custom", "name": "environment", "label": "Environment", "description": "env",
		"query":      "production,staging",
		"options":    []any{opt("production", true), opt("staging", false)},
		"current":    opt("production", true),
		"multi":      false,
		"includeAll": false,
		// The SDK's own defaults for every variable.
		"skipUrlSync": false,
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("environment variable (-want +got):\n%s", diff)
	}
}

// TestBarGaugeWithoutLegend: a bar gauge is written without the SDK's
// legend (Grafana 11.2's bar gauge has none), and the SDK's strict round
// trip, which puts the legend back for its Grafana 12 types, still passes.
func TestBarGaugeWithoutLegend(t *testing.T) {
	s := testSpec()
	s.Rows[0].Panels[2].Kind = dashboards.KindBarGauge
	data, err := dashboards.Build(s, dashboards.Context{DatasourceUID: "prom"})
	if err != nil {
		t.Fatal(err)
	}
	if err := dashboards.StrictRoundTrip(data); err != nil {
		t.Fatalf("strict round trip: %v", err)
	}
	var d struct {
		Panels []struct {
			Type    string         `json:"type"`
			Options map[string]any `json:"options"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatal(err)
	}
	found := false
	for _, p := range d.Panels {
		if p.Type != "bargauge" {
			continue
		}
		found = true
		if _, has := p.Options["legend"]; has {
			t.Errorf("the bar gauge has options.legend: %v", p.Options["legend"])
		}
		if p.Options["displayMode"] != "gradient" {
			t.Errorf("the bar gauge lost its other options: %v", p.Options)
		}
	}
	if !found {
		t.Fatal("no bar gauge built")
	}
	// A legend written into the file is not what Build writes: the round
	// trip (which clears it as Build does) refuses it.
	withLegend := replaceOnce(t, data, `"showUnfilled": true,`, `"showUnfilled": true, "legend": {"displayMode": "list", "placement": "bottom", "showLegend": false, "calcs": []},`)
	if err := dashboards.StrictRoundTrip(withLegend); err == nil {
		t.Error("a bar gauge with a legend passes the strict round trip")
	}
}
