package dashboards

// Version skew: grafana-foundation-sdk v0.0.22, the only version the module
// proxy serves, models Grafana 12 and writes schemaVersion 42; the stack
// deploys Grafana 11.2.2, whose newest dashboard schema is 39. Decision: keep
// Grafana 11.2.2 and write the schemaVersion the spec carries (derived in
// derive/dashboards.cue from versions.grafana, 39 for 11.2), so Grafana 11.2
// loads the files as current and runs no migration on them, and Grafana 12
// would migrate them forward as it does any older dashboard.
//
// The SDK's DashboardBuilder has no schemaVersion option, so Build sets the
// exported Dashboard.SchemaVersion field of the built value, before encoding;
// the strict round trip then proves the SDK type still accepts the file. Only
// options Grafana 11.2 knows are set (legend, tooltip, stacking, thresholds
// style, reduce options, colour modes, table sort). What the SDK sets by
// default for Grafana 12 and Grafana 11.2.2's own schema does not have
// (variables' allowCustomValue and auto*, the bar gauge's legend, link
// placement) forDeployed clears (deployed.go); gen's dashboards-grafana check
// holds every file to that schema, vendored from @grafana/schema at
// versions.grafana. The pipeline compares SchemaVersion(data) with the
// deployed release's.

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// Context is what Build needs from the rest of the stack.
type Context struct {
	// DatasourceUID is the uid of the provisioned Prometheus datasource
	// (outputs.grafanaDatasources). Build refuses a spec whose datasource
	// is another one: the dashboard would show "datasource not found".
	DatasourceUID string
}

// Presentation defaults that are rendering logic, not stack values.
const (
	// noThresholdColor is the single colour of a panel without thresholds:
	// without it Grafana applies its default red step at 80, which would
	// flag, say, 80 req/s as an incident.
	noThresholdColor = "blue"
	// thresholdLineColor is the colour of alert threshold series.
	thresholdLineColor = "red"
	rowHeight          = 1
)

// Build turns a spec into the JSON of one dashboard: the SDK's dashboard
// type, encoded with two-space indentation, no HTML escaping and a trailing
// newline. The same spec always gives the same bytes.
//
// Layout: rows are stacked top to bottom, each a full-width row header; a
// row's panels are placed left to right and wrap to a new line when the next
// panel would cross column 24. Panel ids are assigned in order, from 1, rows
// included.
func Build(s *Spec, ctx Context) ([]byte, error) {
	if s.Datasource.UID != ctx.DatasourceUID {
		return nil, fmt.Errorf("dashboard %q: datasource uid %q is not the provisioned datasource %q", s.UID, s.Datasource.UID, ctx.DatasourceUID)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	d, err := buildDashboard(s)
	if err != nil {
		return nil, err
	}
	data, err := encode(d)
	if err != nil {
		return nil, fmt.Errorf("dashboard %q: encode: %w", s.UID, err)
	}
	return data, nil
}

// encode is the one JSON encoding of a dashboard, shared by Build and
// StrictRoundTrip.
func encode(d *dashboard.Dashboard) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func buildDashboard(s *Spec) (*dashboard.Dashboard, error) {
	ds := common.DataSourceRef{Type: cog.ToPtr(s.Datasource.Type), Uid: cog.ToPtr(s.Datasource.UID)}
	b := dashboard.NewDashboardBuilder(s.Title).
		Uid(s.UID).
		Description(s.Description).
		Tags(s.Tags).
		Time(s.Time.From, s.Time.To).
		Refresh(s.Refresh).
		Timezone("browser").
		Tooltip(dashboard.DashboardCursorSyncCrosshair)
	for _, l := range s.Links {
		lb := dashboard.NewDashboardLinkBuilder(l.Title).
			Type(dashboard.DashboardLinkTypeLink).
			Url("/d/" + l.UID).
			Icon("dashboard").
			IncludeVars(true).
			KeepTime(true).
			TargetBlank(false).
			AsDropdown(false).
			Tags([]string{})
		if l.Tooltip != "" {
			lb = lb.Tooltip(l.Tooltip)
		}
		b = b.Link(lb)
	}
	for _, v := range s.Variables {
		b = b.WithVariable(variable(v))
	}

	id := uint32(0)
	y := uint32(0)
	for _, r := range s.Rows {
		id++
		b = b.WithRow(dashboard.NewRowBuilder(r.Title).
			Id(id).
			Collapsed(false).
			GridPos(dashboard.GridPos{X: 0, Y: y, W: GridColumns, H: rowHeight}))
		y += rowHeight
		x, lineHeight := uint32(0), uint32(0)
		for _, p := range r.Panels {
			w, h := uint32(p.Width), uint32(p.Height)
			if x+w > GridColumns {
				x, y, lineHeight = 0, y+lineHeight, 0
			}
			id++
			pb, err := panel(p, id, dashboard.GridPos{X: x, Y: y, W: w, H: h}, ds)
			if err != nil {
				return nil, fmt.Errorf("dashboard %q: panel %q: %w", s.UID, p.Title, err)
			}
			b = b.WithPanel(pb)
			x += w
			lineHeight = max(lineHeight, h)
		}
		y += lineHeight
	}

	d, err := b.Build()
	if err != nil {
		return nil, fmt.Errorf("dashboard %q: %w", s.UID, err)
	}
	d.SchemaVersion = uint16(s.SchemaVersion)
	// Link placement ("inControlsMenu", the SDK's default) is a Grafana 12
	// option that moves links out of the dashboard header; without it both
	// 11.2 and 12 show the links under the title. forDeployed clears it with
	// the rest of what Grafana 11.2 does not have.
	forDeployed(&d)
	return &d, nil
}

// variable builds a custom variable whose first value is selected. Its
// dropdown offers exactly its values (query and options): on Grafana 11.2
// that is all that limits it to them. 11.2 has no allowCustomValue (it came
// with Grafana 11.5, defaulting to true "to maintain existing
// functionality"): any value can still be typed into the picker or given
// in the URL (var-environment=...), and a value that is no environment
// matches no series, so the panels are empty. The SDK's AllowCustomValue is
// not set, and forDeployed clears its default.
func variable(v Variable) *dashboard.CustomVariableBuilder {
	opts := make([]dashboard.VariableOption, len(v.Values))
	for i, val := range v.Values {
		opts[i] = dashboard.VariableOption{
			Selected: cog.ToPtr(i == 0),
			Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(val)},
			Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(val)},
		}
	}
	query := ""
	for i, val := range v.Values {
		if i > 0 {
			query += ","
		}
		query += val
	}
	return dashboard.NewCustomVariableBuilder(v.Name).
		Label(v.Label).
		Description(v.Description).
		Values(dashboard.StringOrMap{String: cog.ToPtr(query)}).
		Current(opts[0]).
		Options(opts).
		Multi(false).
		IncludeAll(false)
}

// panelBuilder is what every SDK panel builder offers; B is the builder's
// own pointer type, returned by each setter.
type panelBuilder[B any] interface {
	cog.Builder[dashboard.Panel]
	Id(id uint32) B
	Title(title string) B
	Description(description string) B
	Datasource(datasource common.DataSourceRef) B
	GridPos(gridPos dashboard.GridPos) B
	Unit(unit string) B
	Decimals(decimals float64) B
	Min(min float64) B
	Max(max float64) B
	Thresholds(thresholds cog.Builder[dashboard.ThresholdsConfig]) B
	WithTarget(target cog.Builder[variants.Dataquery]) B
}

// withCommon sets what every kind of panel shares. The setters modify b in
// place; their results are the same builder.
func withCommon[B panelBuilder[B]](b B, p Panel, id uint32, pos dashboard.GridPos, ds common.DataSourceRef, format prometheus.PromQueryFormat) B {
	b.Id(id)
	b.Title(p.Title)
	b.Description(p.Description)
	b.Datasource(ds)
	b.GridPos(pos)
	b.Unit(p.Unit)
	if p.Decimals != nil {
		b.Decimals(float64(*p.Decimals))
	}
	if p.Min != nil {
		b.Min(*p.Min)
	}
	if p.Max != nil {
		b.Max(*p.Max)
	}
	b.Thresholds(thresholds(p.Thresholds))
	for _, q := range p.Queries {
		b.WithTarget(target(q, ds, format))
	}
	return b
}

// thresholds builds absolute threshold steps: the base colour, then one step
// per spec step.
func thresholds(t *Thresholds) *dashboard.ThresholdsConfigBuilder {
	steps := []dashboard.Threshold{{Value: nil, Color: noThresholdColor}}
	if t != nil {
		steps[0].Color = t.Base
		for _, st := range t.Steps {
			steps = append(steps, dashboard.Threshold{Value: cog.ToPtr(st.Value), Color: st.Color})
		}
	}
	return dashboard.NewThresholdsConfigBuilder().Mode(dashboard.ThresholdsModeAbsolute).Steps(steps)
}

// target builds one Prometheus query in code mode.
func target(q Target, ds common.DataSourceRef, format prometheus.PromQueryFormat) *prometheus.DataqueryBuilder {
	t := prometheus.NewDataqueryBuilder().
		RefId(q.RefID).
		Expr(q.Expr).
		LegendFormat(q.LegendFormat).
		Datasource(ds).
		EditorMode(prometheus.QueryEditorModeCode).
		Format(format)
	if q.Instant {
		return t.Instant()
	}
	return t.Range()
}

// reduceLast is the reduction of single-value panels: the last non-null value.
func reduceLast() *common.ReduceDataOptionsBuilder {
	return common.NewReduceDataOptionsBuilder().Calcs([]string{"lastNotNull"}).Values(false).Fields("")
}

// panel builds one panel of the spec's kind.
func panel(p Panel, id uint32, pos dashboard.GridPos, ds common.DataSourceRef) (cog.Builder[dashboard.Panel], error) {
	colored := p.Thresholds != nil && len(p.Thresholds.Steps) > 0
	switch p.Kind {
	case KindTimeseries:
		return timeseriesPanel(p, id, pos, ds, colored)
	case KindStat:
		b := withCommon(stat.NewPanelBuilder(), p, id, pos, ds, prometheus.PromQueryFormatTimeSeries).
			ReduceOptions(reduceLast()).
			GraphMode(common.BigValueGraphModeArea).
			ColorMode(common.BigValueColorModeValue).
			JustifyMode(common.BigValueJustifyModeAuto).
			TextMode(common.BigValueTextModeAuto).
			Orientation(common.VizOrientationAuto)
		if allInstant(p) {
			b.GraphMode(common.BigValueGraphModeNone)
		}
		if colored {
			b.ColorMode(common.BigValueColorModeBackground)
		}
		return b, nil
	case KindGauge:
		return withCommon(gauge.NewPanelBuilder(), p, id, pos, ds, prometheus.PromQueryFormatTimeSeries).
			ReduceOptions(reduceLast()).
			ShowThresholdMarkers(true).
			ShowThresholdLabels(false).
			Orientation(common.VizOrientationAuto), nil
	case KindBarGauge:
		return withCommon(bargauge.NewPanelBuilder(), p, id, pos, ds, prometheus.PromQueryFormatTimeSeries).
			ReduceOptions(reduceLast()).
			DisplayMode(common.BarGaugeDisplayModeGradient).
			Orientation(common.VizOrientationHorizontal).
			ShowUnfilled(true), nil
	case KindTable:
		b := withCommon(table.NewPanelBuilder(), p, id, pos, ds, prometheus.PromQueryFormatTable).
			ShowHeader(true).
			Footer(common.NewTableFooterOptionsBuilder().Show(false).Reducer([]string{"sum"}).CountRows(false)).
			SortBy([]cog.Builder[common.TableSortByFieldState]{
				common.NewTableSortByFieldStateBuilder().DisplayName("Value").Desc(true),
			})
		// An instant table query returns a Time column with one timestamp:
		// hide it.
		organize, err := asJSONValue(map[string]any{"excludeByName": map[string]bool{"Time": true}})
		if err != nil {
			return nil, err
		}
		b.WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: organize})
		if colored {
			b.CellOptions(common.TableCellOptions{
				TableColoredBackgroundCellOptions: &common.TableColoredBackgroundCellOptions{
					Type: common.TableCellDisplayModeColorBackground,
				},
			})
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown panel kind %q", p.Kind)
}

// timeseriesPanel builds a timeseries panel: a visible legend (hidden by
// the SDK unless set), a shared tooltip sorted by value, optional stacking,
// thresholds drawn as dashed lines, and alert threshold queries drawn as
// dashed red lines outside the stack.
func timeseriesPanel(p Panel, id uint32, pos dashboard.GridPos, ds common.DataSourceRef, colored bool) (cog.Builder[dashboard.Panel], error) {
	legend := Legend{Display: "list", Placement: "bottom"}
	if p.Legend != nil {
		legend = *p.Legend
	}
	calcs := legend.Calcs
	if calcs == nil {
		calcs = []string{}
	}
	fill := 10.0
	if p.Stacked {
		fill = 60
	}
	b := withCommon(timeseries.NewPanelBuilder(), p, id, pos, ds, prometheus.PromQueryFormatTimeSeries).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayMode(legend.Display)).
			Placement(common.LegendPlacement(legend.Placement)).
			ShowLegend(legend.Display != "hidden").
			Calcs(calcs)).
		Tooltip(common.NewVizTooltipOptionsBuilder().
			Mode(common.TooltipDisplayModeMulti).
			Sort(common.SortOrderDescending)).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)).
		DrawStyle(common.GraphDrawStyleLine).
		LineInterpolation(common.LineInterpolationLinear).
		LineWidth(1).
		FillOpacity(fill).
		ShowPoints(common.VisibilityModeNever).
		SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(false)})
	if p.Stacked {
		b.Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A"))
	}
	if colored {
		b.ThresholdsStyle(common.NewGraphThresholdsStyleConfigBuilder().Mode(common.GraphThresholdsStyleModeDashed))
	}
	for _, q := range p.Queries {
		if !q.AlertThreshold {
			continue
		}
		props, err := thresholdLineProperties()
		if err != nil {
			return nil, err
		}
		b.OverrideByQuery(q.RefID, props)
	}
	return b, nil
}

// thresholdLineProperties are the field overrides of an alert threshold
// series: fixed red, dashed, not filled, not stacked.
func thresholdLineProperties() ([]dashboard.DynamicConfigValue, error) {
	values := []struct {
		id    string
		value any
	}{
		{"color", dashboard.FieldColor{Mode: dashboard.FieldColorModeIdFixed, FixedColor: cog.ToPtr(thresholdLineColor)}},
		{"custom.lineStyle", common.LineStyle{Fill: cog.ToPtr(common.LineStyleFillDash), Dash: []float64{10, 10}}},
		{"custom.fillOpacity", 0},
		{"custom.stacking", common.StackingConfig{Mode: cog.ToPtr(common.StackingModeNone), Group: cog.ToPtr("A")}},
	}
	props := make([]dashboard.DynamicConfigValue, len(values))
	for i, v := range values {
		jv, err := asJSONValue(v.value)
		if err != nil {
			return nil, err
		}
		props[i] = dashboard.DynamicConfigValue{Id: v.id, Value: jv}
	}
	return props, nil
}

// asJSONValue converts a typed SDK value into the generic form the SDK's
// untyped fields (override values, transformation options) decode to, so that
// a decoded dashboard re-encodes to the same bytes (maps encode with sorted
// keys, structs in field order).
func asJSONValue(v any) (any, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out any
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, err
	}
	return out, nil
}

// allInstant tells whether every query of p is instant (no sparkline to draw).
func allInstant(p Panel) bool {
	for _, q := range p.Queries {
		if !q.Instant {
			return false
		}
	}
	return true
}
