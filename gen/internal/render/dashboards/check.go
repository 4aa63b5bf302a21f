package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/gauge"
	"github.com/grafana/grafana-foundation-sdk/go/prometheus"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"
)

// registerPlugins registers, once, the panel and query variants strict
// decoding needs: the panel kinds the schema allows (#PanelKind) and
// Prometheus queries. Not the SDK's plugins.RegisterDefaultPlugins, which
// links every panel and datasource plugin it has (38 packages, most of the
// SDK's cold build) for these six.
var registerPlugins = sync.OnceFunc(func() {
	rt := cog.NewRuntime()
	for _, v := range []variants.PanelcfgConfig{
		bargauge.VariantConfig(), gauge.VariantConfig(), stat.VariantConfig(),
		table.VariantConfig(), timeseries.VariantConfig(),
	} {
		rt.RegisterPanelcfgVariant(v)
	}
	rt.RegisterDataqueryVariant(prometheus.VariantConfig())
})

// sdkError turns an SDK decoding result into an error or nil. The SDK returns
// a typed-nil cog.BuildErrors as a non-nil error interface when all went well
// (a known trap of the SDK), so the length decides, not err != nil.
func sdkError(err error) error {
	if err == nil {
		return nil
	}
	var be cog.BuildErrors
	if errors.As(err, &be) {
		if len(be) == 0 {
			return nil
		}
		return be
	}
	return err
}

// Unmarshal decodes dashboard JSON strictly into the SDK's dashboard type: a
// field the SDK does not know, a missing required field or a wrong type is an
// error.
//
// SDK v0.0.22 bug worked around here: the strict decoders of the SDK's
// variant types (PanelOrRowPanel, panel targets, panel options and custom
// field config) test the typed-nil cog.BuildErrors of a successful nested
// decode with err != nil and drop the value: a strictly decoded dashboard
// has null panels, and panels without targets or options. The errors of a
// failed nested decode are still reported. So Unmarshal runs the SDK's
// strict decode for its errors only, and returns the SDK's lenient decode
// (UnmarshalJSON, which keeps every value) of the same bytes; StrictRoundTrip
// then proves that this value re-encodes to the input, so nothing was
// unknown to the types or dropped.
func Unmarshal(data []byte) (*dashboard.Dashboard, error) {
	registerPlugins()
	// A panel of a kind without a registered variant would have its
	// options decoded as free-form data: refuse it rather than let it
	// through unchecked.
	var panels layoutDashboard
	if err := json.Unmarshal(data, &panels); err != nil {
		return nil, err
	}
	for _, p := range flatten(panels.Panels) {
		if _, ok := cog.NewRuntime().ConfigForPanelcfgVariant(p.Type); !ok && p.Type != "row" {
			return nil, fmt.Errorf("panel %q: type %q has no variant registered for strict decoding (registerPlugins)", p.Title, p.Type)
		}
	}
	// The SDK models Grafana 12: what forDeployed cleared and its types
	// require goes back in at the SDK's defaults for the strict decode.
	full, err := sdkRequired(data)
	if err != nil {
		return nil, err
	}
	var strict dashboard.Dashboard
	if err := sdkError(strict.UnmarshalJSONStrict(full)); err != nil {
		return nil, err
	}
	var d dashboard.Dashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// StrictRoundTrip checks that data decodes strictly into the SDK's
// dashboard.Dashboard and re-encodes to exactly the same bytes: nothing in
// the file is unknown to the SDK, lost or changed by it. The re-encoding
// clears what Build clears for the deployed Grafana (forDeployed).
func StrictRoundTrip(data []byte) error {
	uid := uidOf(data)
	d, err := Unmarshal(data)
	if err != nil {
		return fmt.Errorf("dashboard %q: strict decode: %w", uid, err)
	}
	forDeployed(d)
	again, err := encode(d)
	if err != nil {
		return fmt.Errorf("dashboard %q: re-encode: %w", uid, err)
	}
	if !bytes.Equal(again, data) {
		return fmt.Errorf("dashboard %q: re-encoding differs from the input: %s", uid, firstDiff(data, again))
	}
	return nil
}

// firstDiff describes the first line where got differs from want.
func firstDiff(want, got []byte) string {
	wl, gl := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return fmt.Sprintf("line %d: input %q, re-encoded %q", i+1, strings.TrimSpace(w), strings.TrimSpace(g))
		}
	}
	return "same lines, different bytes"
}

// layoutDashboard is the part of a dashboard Layout reads.
type layoutDashboard struct {
	UID    string        `json:"uid"`
	Panels []layoutPanel `json:"panels"`
}

type layoutPanel struct {
	ID      *int          `json:"id"`
	Type    string        `json:"type"`
	Title   string        `json:"title"`
	GridPos *layoutPos    `json:"gridPos"`
	Panels  []layoutPanel `json:"panels"`
}

// flatten lists the panels and the panels of rows.
func flatten(ps []layoutPanel) []layoutPanel {
	var out []layoutPanel
	for _, p := range ps {
		out = append(append(out, p), flatten(p.Panels)...)
	}
	return out
}

type layoutPos struct {
	X, Y, W, H int
}

// Layout checks the grid of a built dashboard (the JSON Build returns, so
// that what Grafana reads is checked): every panel and row has an id, ids are
// unique, every grid position has a positive size and lies within the 24
// columns, and no two panels overlap. Panels nested in a collapsed row are
// checked for ids and width; their positions are relative to the row, so
// they are not compared with the top-level grid. All problems are reported.
func Layout(data []byte) error {
	var d layoutDashboard
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("dashboard layout: %w", err)
	}
	var errs []error
	fail := func(p layoutPanel, format string, args ...any) {
		errs = append(errs, fmt.Errorf("dashboard %q: %s %q: "+format, append([]any{d.UID, p.Type, p.Title}, args...)...))
	}
	ids := map[int]string{}
	var placed []layoutPanel
	var visit func(ps []layoutPanel, top bool)
	visit = func(ps []layoutPanel, top bool) {
		for _, p := range ps {
			switch {
			case p.ID == nil:
				fail(p, "no id")
			case ids[*p.ID] != "":
				fail(p, "id %d is also the id of %q", *p.ID, ids[*p.ID])
			default:
				ids[*p.ID] = p.Title
			}
			g := p.GridPos
			switch {
			case g == nil:
				fail(p, "no gridPos")
			case g.W < 1 || g.H < 1:
				fail(p, "gridPos size %dx%d is not positive", g.W, g.H)
			case g.X < 0 || g.Y < 0:
				fail(p, "gridPos (%d,%d) is negative", g.X, g.Y)
			case g.X+g.W > GridColumns:
				fail(p, "gridPos x %d + w %d = %d is beyond the %d columns", g.X, g.W, g.X+g.W, GridColumns)
			default:
				if top {
					for _, q := range placed {
						if overlap(*g, *q.GridPos) {
							fail(p, "gridPos %v overlaps %s %q at %v", *g, q.Type, q.Title, *q.GridPos)
						}
					}
					placed = append(placed, p)
				}
			}
			visit(p.Panels, false)
		}
	}
	visit(d.Panels, true)
	return errors.Join(errs...)
}

// overlap tells whether two grid rectangles share a cell.
func overlap(a, b layoutPos) bool {
	return a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H
}

// DatasourceRef is one datasource reference found in a built dashboard.
type DatasourceRef struct {
	// Where names the object holding the reference: "panel \"CPU usage\"",
	// "panel \"CPU usage\" query A", "variable environment".
	Where string
	Type  string
	UID   string
}

// builtinDatasourceTypes are Grafana's own datasources (annotations,
// mixed), which need no provisioning.
var builtinDatasourceTypes = map[string]bool{"grafana": true, "datasource": true}

// DatasourceRefs returns every datasource reference of a built dashboard:
// panels, their queries (also inside rows) and template variables, in
// document order. Grafana's built-in datasources are left out.
func DatasourceRefs(data []byte) ([]DatasourceRef, error) {
	var d struct {
		UID        string `json:"uid"`
		Panels     []refPanel
		Templating struct {
			List []struct {
				Name       string `json:"name"`
				Datasource *refDS `json:"datasource"`
			} `json:"list"`
		} `json:"templating"`
		Annotations struct {
			List []struct {
				Name       string `json:"name"`
				Datasource *refDS `json:"datasource"`
			} `json:"list"`
		} `json:"annotations"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("dashboard datasources: %w", err)
	}
	var refs []DatasourceRef
	add := func(where string, ds *refDS) {
		if ds != nil && !builtinDatasourceTypes[ds.Type] {
			refs = append(refs, DatasourceRef{Where: where, Type: ds.Type, UID: ds.UID})
		}
	}
	var visit func(ps []refPanel)
	visit = func(ps []refPanel) {
		for _, p := range ps {
			add(fmt.Sprintf("panel %q", p.Title), p.Datasource)
			for _, t := range p.Targets {
				add(fmt.Sprintf("panel %q query %s", p.Title, t.RefID), t.Datasource)
			}
			visit(p.Panels)
		}
	}
	visit(d.Panels)
	for _, v := range d.Templating.List {
		add("variable "+v.Name, v.Datasource)
	}
	for _, a := range d.Annotations.List {
		add("annotation "+a.Name, a.Datasource)
	}
	return refs, nil
}

type refDS struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

type refPanel struct {
	Title      string `json:"title"`
	Datasource *refDS `json:"datasource"`
	Targets    []struct {
		RefID      string `json:"refId"`
		Datasource *refDS `json:"datasource"`
	} `json:"targets"`
	Panels []refPanel `json:"panels"`
}

// CheckDatasources checks that every datasource reference of a built
// dashboard names one of the provisioned datasource uids, and that every
// panel query has a datasource (else Grafana falls back to the default one,
// whatever it is). Each problem names the panel and query.
func CheckDatasources(data []byte, provisioned ...string) error {
	refs, err := DatasourceRefs(data)
	if err != nil {
		return err
	}
	ok := map[string]bool{}
	for _, u := range provisioned {
		ok[u] = true
	}
	uid := uidOf(data)
	var errs []error
	for _, r := range refs {
		if !ok[r.UID] {
			errs = append(errs, fmt.Errorf("dashboard %q: %s: datasource uid %q is not provisioned (provisioned: %s)", uid, r.Where, r.UID, strings.Join(provisioned, ", ")))
		}
	}
	if len(refs) == 0 {
		errs = append(errs, fmt.Errorf("dashboard %q: no panel refers to a datasource", uid))
	}
	return errors.Join(errs...)
}

// SchemaVersion returns the schemaVersion of a built dashboard, for the
// pipeline to compare with the newest one the deployed Grafana knows.
func SchemaVersion(data []byte) (int, error) {
	var d struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return 0, fmt.Errorf("dashboard schemaVersion: %w", err)
	}
	if d.SchemaVersion == nil {
		return 0, fmt.Errorf("dashboard %q: no schemaVersion", uidOf(data))
	}
	return *d.SchemaVersion, nil
}

// SDKSchemaVersion is the schemaVersion the foundation SDK writes by default:
// the Grafana release its types model.
func SDKSchemaVersion() int {
	return int(dashboard.NewDashboard().SchemaVersion)
}

// CheckSpecs checks a set of specs together, keyed by file name: dashboard
// uids are unique, and every link names the uid of a dashboard of the set.
func CheckSpecs(specs map[string]*Spec) error {
	names := make([]string, 0, len(specs))
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	byUID := map[string]string{}
	var errs []error
	for _, n := range names {
		s := specs[n]
		if other, dup := byUID[s.UID]; dup {
			errs = append(errs, fmt.Errorf("dashboard %q: uid %q is also the uid of dashboard %q", n, s.UID, other))
			continue
		}
		byUID[s.UID] = n
	}
	for _, n := range names {
		for _, l := range specs[n].Links {
			if _, ok := byUID[l.UID]; !ok {
				errs = append(errs, fmt.Errorf("dashboard %q: link %q: no dashboard has uid %q", specs[n].UID, l.Title, l.UID))
			}
		}
	}
	return errors.Join(errs...)
}

// uidOf reads the uid of dashboard JSON for error messages; "" if none.
func uidOf(data []byte) string {
	var d struct {
		UID string `json:"uid"`
	}
	_ = json.Unmarshal(data, &d)
	return d.UID
}
