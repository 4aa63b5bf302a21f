// Package dashboards turns the dashboard specs of derive/dashboards.cue into
// Grafana dashboard JSON with the grafana-foundation-sdk builders, and checks
// the result: strict decoding into the SDK's dashboard type with a byte-exact
// re-encoding, panel ids and grid layout, datasources, schema version, and
// the PromQL queries the pipeline checks against the metric catalog.
//
// The package holds rendering logic only: titles, queries, units, sizes and
// thresholds all come from the spec, that is from CUE.
package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Spec is one dashboard as specified in CUE (schema.#Dashboard). It mirrors
// schema/dashboard.cue field for field; Decode rejects unknown fields.
type Spec struct {
	// Title is the dashboard title.
	Title string `json:"title"`
	// UID is the stable Grafana uid, used by URLs and links.
	UID string `json:"uid"`
	// Description says what the dashboard is for.
	Description string `json:"description"`
	// Tags group the dashboards in Grafana's search.
	Tags []string `json:"tags"`
	// SchemaVersion is the dashboard JSON schema version written into the file.
	SchemaVersion int `json:"schemaVersion"`
	// Time is the default time range.
	Time TimeRange `json:"time"`
	// Refresh is the auto-refresh interval.
	Refresh string `json:"refresh"`
	// Datasource is the datasource every panel and query uses.
	Datasource Datasource `json:"datasource"`
	// Links lead to other dashboards, by uid.
	Links []Link `json:"links"`
	// Variables are the template variables, in display order.
	Variables []Variable `json:"variables"`
	// Rows group the panels, top to bottom.
	Rows []Row `json:"rows"`
}

// TimeRange is a relative time range ("now-6h" to "now").
type TimeRange struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Datasource is a datasource reference by type and uid.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// Link is a link to another dashboard, by uid.
type Link struct {
	Title   string `json:"title"`
	UID     string `json:"uid"`
	Tooltip string `json:"tooltip,omitempty"`
}

// Variable is a custom template variable with a fixed list of values; the
// first value is the default.
type Variable struct {
	Name        string   `json:"name"`
	Label       string   `json:"label"`
	Description string   `json:"description"`
	Values      []string `json:"values"`
}

// Row is a titled row of panels.
type Row struct {
	Title string `json:"title"`
	// Stack marks a row about the monitoring stack, not an environment.
	Stack  bool    `json:"stack,omitempty"`
	Panels []Panel `json:"panels"`
}

// Panel kinds, as in schema.#PanelKind.
const (
	KindTimeseries = "timeseries"
	KindStat       = "stat"
	KindGauge      = "gauge"
	KindTable      = "table"
	KindBarGauge   = "bargauge"
)

// Panel is one visualisation of a row.
type Panel struct {
	Kind        string   `json:"kind"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Unit        string   `json:"unit"`
	Decimals    *int     `json:"decimals,omitempty"`
	Min         *float64 `json:"min,omitempty"`
	Max         *float64 `json:"max,omitempty"`
	// Width and Height are in grid units (24 columns; rows of about 30 px).
	Width      int         `json:"width"`
	Height     int         `json:"height"`
	Queries    []Target    `json:"queries"`
	Legend     *Legend     `json:"legend,omitempty"`
	Stacked    bool        `json:"stacked,omitempty"`
	Thresholds *Thresholds `json:"thresholds,omitempty"`
}

// Target is one PromQL query of a panel (Grafana calls panel queries targets).
type Target struct {
	RefID        string `json:"refId"`
	Expr         string `json:"expr"`
	LegendFormat string `json:"legendFormat"`
	Instant      bool   `json:"instant,omitempty"`
	// AlertThreshold marks a query drawing an alert threshold (dashed line).
	AlertThreshold bool `json:"alertThreshold,omitempty"`
}

// Legend configures a panel legend.
type Legend struct {
	Display   string   `json:"display"`
	Placement string   `json:"placement"`
	Calcs     []string `json:"calcs"`
}

// Thresholds are the colour steps of a panel above a base colour.
type Thresholds struct {
	Base  string          `json:"base"`
	Steps []ThresholdStep `json:"steps"`
}

// ThresholdStep is one step: Color from Value upwards. Source documents
// where Value comes from and is not rendered.
type ThresholdStep struct {
	Value  float64 `json:"value"`
	Color  string  `json:"color"`
	Source string  `json:"source,omitempty"`
}

// GridColumns is the width of Grafana's dashboard grid.
const GridColumns = 24

// Decode decodes one dashboard spec strictly: an unknown field, a missing
// structure or trailing data is an error, and the spec must be consistent
// (see Spec.Validate). raw is the JSON of one entry of the CUE field
// `dashboards`, as gen.Stack.Dashboards holds it.
func Decode(raw json.RawMessage) (*Spec, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("dashboard spec: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("dashboard %q: trailing data after the spec", s.UID)
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

// Validate checks what the CUE schema cannot express or what Go relies on:
// required fields, a value for every variable, known panel kinds, widths
// within the grid, unique panel titles (checks name panels by title) and
// unique refIds within a panel. Errors name the dashboard uid and the panel.
func (s *Spec) Validate() error {
	var errs []error
	fail := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("dashboard %q: "+format, append([]any{s.UID}, args...)...))
	}
	if s.UID == "" || s.Title == "" {
		fail("uid and title are required")
	}
	if s.Datasource.UID == "" {
		fail("datasource uid is required")
	}
	if len(s.Variables) == 0 {
		fail("no template variable")
	}
	for _, v := range s.Variables {
		if len(v.Values) == 0 {
			fail("variable %q has no value (no environment in envs/?)", v.Name)
		}
	}
	if len(s.Rows) == 0 {
		fail("no row")
	}
	titles := map[string]bool{}
	for _, r := range s.Rows {
		if len(r.Panels) == 0 {
			fail("row %q: no panel", r.Title)
		}
		for _, p := range r.Panels {
			pfail := func(format string, args ...any) {
				fail("panel %q: "+format, append([]any{p.Title}, args...)...)
			}
			if titles[p.Title] {
				pfail("duplicate panel title")
			}
			titles[p.Title] = true
			switch p.Kind {
			case KindTimeseries, KindStat, KindGauge, KindTable, KindBarGauge:
			default:
				pfail("unknown kind %q", p.Kind)
			}
			if p.Width < 1 || p.Width > GridColumns {
				pfail("width %d is outside 1..%d", p.Width, GridColumns)
			}
			if p.Height < 1 {
				pfail("height %d is not positive", p.Height)
			}
			if p.Description == "" {
				pfail("no description")
			}
			if p.Stacked && p.Kind != KindTimeseries {
				pfail("stacked is for timeseries panels, not %s", p.Kind)
			}
			if p.Legend != nil && p.Kind != KindTimeseries {
				pfail("legend is for timeseries panels, not %s", p.Kind)
			}
			if len(p.Queries) == 0 {
				pfail("no query")
			}
			refs := map[string]bool{}
			for _, q := range p.Queries {
				if refs[q.RefID] {
					pfail("duplicate refId %q", q.RefID)
				}
				refs[q.RefID] = true
				if q.Expr == "" {
					pfail("query %s: empty expression", q.RefID)
				}
				if q.AlertThreshold && p.Kind != KindTimeseries {
					pfail("query %s: alertThreshold is for timeseries panels, not %s", q.RefID, p.Kind)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// Query is one PromQL query of a dashboard, for the pipeline's PromQL and
// metric catalog checks. The expression is as written: Grafana variables
// ($environment, $__rate_interval, $__range) are not substituted.
type Query struct {
	Panel, RefID, Expr string
}

// Queries returns every query of s, in panel order.
func Queries(s *Spec) []Query {
	var qs []Query
	for _, r := range s.Rows {
		for _, p := range r.Panels {
			for _, q := range p.Queries {
				qs = append(qs, Query{Panel: p.Title, RefID: q.RefID, Expr: q.Expr})
			}
		}
	}
	return qs
}

// grafanaVariables are the values Grafana's built-in variables stand for
// when a query is parsed: any valid duration will do, PromQL only needs the
// syntax to be right.
var grafanaVariables = []string{
	"$__rate_interval", "1m",
	"$__interval", "1m",
	"$__range", "6h",
}

// ExpandQueries substitutes Grafana's built-in variables and every value
// of each dashboard variable, giving one query per combination.
func ExpandQueries(expr string, vars []Variable) []string {
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
