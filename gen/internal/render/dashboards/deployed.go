package dashboards

import (
	"encoding/json"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
)

// The foundation SDK writes Grafana 12 dashboards; we deploy Grafana 11.2.
// Some of what it writes by default, Grafana 11.2.2's own schema
// (@grafana/schema 11.2.2, which gen's dashboards-grafana check holds every
// dashboard to) does not have:
//
//   - on every variable, allowCustomValue (Grafana 11.5 and later), auto,
//     auto_min and auto_count (interval variables' options, which the SDK's
//     NewVariableModel sets on every variable kind);
//   - on the bar gauge, options.legend (bar gauge legends came after 11.2);
//   - on dashboard links, placement (Grafana 12's "inControlsMenu").
//
// forDeployed clears them from a built dashboard, before encoding. Grafana
// 11.2 would ignore them, but they promise what 11.2 does not do: with
// allowCustomValue false, the environment variable would seem locked to our
// environments, and in 11.2 it is not (see variable in build.go).

// forDeployed clears from d what the SDK sets for Grafana 12 and Grafana
// 11.2 does not have. Build and StrictRoundTrip both apply it, so the round
// trip still proves that the SDK's decoding of a file re-encodes to it.
func forDeployed(d *dashboard.Dashboard) {
	for i := range d.Links {
		d.Links[i].Placement = nil
	}
	for i := range d.Templating.List {
		v := &d.Templating.List[i]
		v.AllowCustomValue = nil
		v.Auto, v.AutoMin, v.AutoCount = nil, nil, nil
	}
	for i := range d.Panels {
		if p := d.Panels[i].Panel; p != nil {
			panelForDeployed(p)
		}
		if r := d.Panels[i].RowPanel; r != nil {
			for j := range r.Panels {
				panelForDeployed(&r.Panels[j])
			}
		}
	}
}

// panelForDeployed clears the bar gauge's legend: the SDK's Options type
// always encodes it (a value field without omitempty), so the options are
// encoded through barGaugeOptions, which omits it.
func panelForDeployed(p *dashboard.Panel) {
	switch o := p.Options.(type) {
	case *bargauge.Options:
		p.Options = barGaugeOptions{Options: o}
	case bargauge.Options:
		p.Options = barGaugeOptions{Options: &o}
	}
}

// barGaugeOptions encodes the SDK's bar gauge options without legend: its
// own Legend field, nil and omitted, shadows the embedded one, and the other
// fields keep the SDK's order.
type barGaugeOptions struct {
	*bargauge.Options
	Legend *common.VizLegendOptions `json:"legend,omitempty"`
}

// sdkRequired returns a dashboard's JSON with what forDeployed cleared and
// the SDK's types require put back at the SDK's defaults (the bar gauge's
// legend), for the SDK's strict decoding: the SDK models Grafana 12, where
// a bar gauge without legend is incomplete. Other JSON is returned as is.
func sdkRequired(data []byte) ([]byte, error) {
	var d map[string]any
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	legend, err := asJSONValue(common.NewVizLegendOptions())
	if err != nil {
		return nil, err
	}
	changed := false
	var visit func(ps []any)
	visit = func(ps []any) {
		for _, p := range ps {
			pm, _ := p.(map[string]any)
			if pm == nil {
				continue
			}
			if opts, ok := pm["options"].(map[string]any); ok && pm["type"] == "bargauge" {
				if _, has := opts["legend"]; !has {
					opts["legend"] = legend
					changed = true
				}
			}
			sub, _ := pm["panels"].([]any)
			visit(sub)
		}
	}
	ps, _ := d["panels"].([]any)
	visit(ps)
	if !changed {
		return data, nil
	}
	return json.Marshal(d)
}
