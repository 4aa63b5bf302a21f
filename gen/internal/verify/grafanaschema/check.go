package grafanaschema

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Finding is one thing in a dashboard that the release does not accept.
type Finding struct {
	// Dashboard is the dashboard's uid.
	Dashboard string
	// Object names the panel (`panel "Latency"`) or the variable
	// (`variable "environment"`) the property belongs to; "" for the
	// dashboard itself.
	Object string
	// Path is the property's path inside the object: "options.legend".
	Path string
	// Msg says what is wrong.
	Msg string
}

// Detail is the finding without the dashboard: `panel "X": options.legend: ...`.
func (f Finding) Detail() string {
	var parts []string
	for _, s := range []string{f.Object, f.Path, f.Msg} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ": ")
}

// String is the whole finding: `dashboard lms-api-overview: panel "X": options.legend: ...`.
func (f Finding) String() string {
	return "dashboard " + f.Dashboard + ": " + f.Detail()
}

// Named types the walk treats specially: a panel's options, custom field
// config, overrides and queries depend on its type, and panels and
// variables start a new object in the messages.
const (
	panelType    = "dashboard.Panel"
	rowType      = "dashboard.RowPanel"
	variableType = "dashboard.VariableModel"
)

// CheckDashboard holds one dashboard's JSON to the schema: every property
// must be one the release declares, with a value of the declared kind, and
// every enum value one of the declared values. A panel's options and custom
// field config (defaults and overrides) are held to its type's Options and
// FieldConfig; a query's common properties (refId, datasource, hide, ...)
// to DataQuery. Properties of a datasource's own query model (Prometheus's
// expr, format, ...) are not in @grafana/schema and are left to the
// foundation SDK's types. Missing properties are not findings: Grafana
// fills its defaults. It returns every finding, sorted by object and path.
func (s *Schema) CheckDashboard(data []byte) ([]Finding, error) {
	found, _, err := s.CheckDashboardCoverage(data)
	return found, err
}

// Coverage counts what a check held to the schema.
type Coverage struct {
	// Properties is the number of properties checked (known or not).
	Properties int
	// EnumValues is the number of values checked against an enum.
	EnumValues int
}

// CheckDashboardCoverage is CheckDashboard, also counting what it checked.
func (s *Schema) CheckDashboardCoverage(data []byte) ([]Finding, Coverage, error) {
	var doc map[string]any
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, Coverage{}, fmt.Errorf("dashboard JSON: %w", err)
	}
	uid, _ := doc["uid"].(string)
	w := &walker{s: s}
	w.walk(doc, s.Roots.Dashboard, scope{}, "")
	for i := range w.found {
		w.found[i].Dashboard = uid
	}
	sort.SliceStable(w.found, func(i, j int) bool {
		a, b := w.found[i], w.found[j]
		if a.Object != b.Object {
			return a.Object < b.Object
		}
		return a.Path < b.Path
	})
	return w.found, w.cov, nil
}

// walker collects findings; it is used for one dashboard.
type walker struct {
	s     *Schema
	found []Finding
	cov   Coverage
}

// scope is the object a value belongs to, for messages.
type scope struct {
	object string
}

func (w *walker) add(sc scope, p, format string, args ...any) {
	w.found = append(w.found, Finding{Object: sc.object, Path: p, Msg: fmt.Sprintf(format, args...)})
}

// grafana names the release in messages.
func (w *walker) grafana() string {
	return "Grafana " + w.s.Version
}

func join(p, name string) string {
	if p == "" {
		return name
	}
	return p + "." + name
}

func index(p string, i int) string {
	return p + "[" + strconv.Itoa(i) + "]"
}

// walk checks v against t; p is v's path inside the scope's object.
func (w *walker) walk(v any, t Type, sc scope, p string) {
	w.walkNamed(v, t, sc, p, "")
}

// walkNamed is walk, knowing the name of the type t was referred to by.
func (w *walker) walkNamed(v any, t Type, sc scope, p, name string) {
	switch {
	case t.Ref != "":
		w.walkNamed(v, w.s.Types[t.Ref], sc, p, t.Ref)
	case t.Prim != "":
		if t.Prim != "any" && kind(v) != t.Prim {
			w.add(sc, p, "%s is not a %s, as %s wants", describe(v), t.Prim, w.grafana())
		}
	case t.Enum != nil:
		w.cov.EnumValues++
		for _, e := range t.Enum {
			if v == e {
				return
			}
		}
		what := ""
		if name != "" {
			what = " (" + name + ")"
		}
		w.add(sc, p, "%s is not one of %s%s in %s", describe(v), values(t.Enum), what, w.grafana())
	case t.Array != nil:
		items, ok := v.([]any)
		if !ok {
			w.add(sc, p, "%s is not an array, as %s wants", describe(v), w.grafana())
			return
		}
		for i, it := range items {
			w.walk(it, *t.Array, sc, index(p, i))
		}
	case t.AnyOf != nil:
		w.walkAnyOf(v, t, sc, p)
	case t.Object != nil:
		obj, ok := v.(map[string]any)
		if !ok {
			w.add(sc, p, "%s is not an object, as %s wants", describe(v), w.grafana())
			return
		}
		switch name {
		case panelType, rowType:
			sc, p = scope{object: panelName(obj)}, ""
		case variableType:
			vn, _ := obj["name"].(string)
			sc, p = scope{object: fmt.Sprintf("variable %q", vn)}, ""
		}
		w.walkObject(obj, t, sc, p, name)
		if name == panelType {
			w.walkPanel(obj, sc)
		}
	}
}

// walkObject checks each property of obj against the object type t.
func (w *walker) walkObject(obj map[string]any, t Type, sc scope, p, name string) {
	for _, k := range sortedKeys(obj) {
		w.cov.Properties++
		prop, ok := t.Object[k]
		switch {
		case ok:
			w.walk(obj[k], prop.Type, sc, join(p, k))
		case t.Additional != nil:
			w.walk(obj[k], *t.Additional, sc, join(p, k))
		default:
			w.add(sc, join(p, k), "not a property of %s in %s", typeWords(name), w.grafana())
		}
	}
}

// walkAnyOf accepts v when one member accepts it; else it reports the
// findings of the member closest to v (fewest findings; for objects, one
// whose discriminating "type" agrees first), so that a bar gauge is told
// what a panel lacks, not what a row lacks.
func (w *walker) walkAnyOf(v any, t Type, sc scope, p string) {
	var best *walker
	bestScore := -1
	for _, m := range t.AnyOf {
		sub := &walker{s: w.s}
		sub.walk(v, m, sc, p)
		if len(sub.found) == 0 {
			w.cov.Properties += sub.cov.Properties
			w.cov.EnumValues += sub.cov.EnumValues
			return
		}
		score := len(sub.found)
		if !w.discriminates(v, m) {
			score += 1 << 20
		}
		if bestScore < 0 || score < bestScore {
			best, bestScore = sub, score
		}
	}
	w.found = append(w.found, best.found...)
	w.cov.Properties += best.cov.Properties
	w.cov.EnumValues += best.cov.EnumValues
}

// discriminates tells whether member m's "type" property, when it has a
// literal one, admits v's "type".
func (w *walker) discriminates(v any, m Type) bool {
	obj, ok := v.(map[string]any)
	for m.Ref != "" {
		m = w.s.Types[m.Ref]
	}
	if !ok || m.Object == nil {
		return true
	}
	prop, ok := m.Object["type"]
	if !ok {
		return true
	}
	et := prop.Type
	for et.Ref != "" {
		et = w.s.Types[et.Ref]
	}
	if et.Enum == nil {
		return true
	}
	for _, e := range et.Enum {
		if e == obj["type"] {
			return true
		}
	}
	return false
}

// walkPanel checks what depends on a panel's type: options against the
// type's Options, fieldConfig.defaults.custom and "custom.*" override
// properties against its FieldConfig, other override properties against
// the dashboard's FieldConfig, and each query against DataQuery.
func (w *walker) walkPanel(obj map[string]any, sc scope) {
	typ, _ := obj["type"].(string)
	pt, ok := w.s.Panels[typ]
	if !ok {
		w.add(sc, "type", "%q: %s's @grafana/schema has no panel of that type", typ, w.grafana())
		return
	}
	if opts, ok := obj["options"].(map[string]any); ok {
		w.walkConfig(opts, pt.Options, sc, "options", "an option of "+typ)
	}
	fc, _ := obj["fieldConfig"].(map[string]any)
	defaults, _ := fc["defaults"].(map[string]any)
	if custom, ok := defaults["custom"].(map[string]any); ok {
		w.walkConfig(custom, pt.FieldConfig, sc, "fieldConfig.defaults.custom", "a field config option of "+typ)
	}
	overrides, _ := fc["overrides"].([]any)
	for i, o := range overrides {
		om, _ := o.(map[string]any)
		props, _ := om["properties"].([]any)
		for _, pr := range props {
			prm, _ := pr.(map[string]any)
			id, _ := prm["id"].(string)
			// The path is the field config the override sets:
			// fieldConfig.overrides[0].custom.lineStyle.
			at := fmt.Sprintf("fieldConfig.overrides[%d]", i)
			if custom, ok := strings.CutPrefix(id, "custom."); ok {
				w.walkConfig(map[string]any{custom: prm["value"]}, pt.FieldConfig, sc, at+".custom", "a field config option of "+typ)
			} else {
				w.walkConfig(map[string]any{id: prm["value"]}, w.s.Types["dashboard.FieldConfig"], sc, at, "a field config property")
			}
		}
	}
	targets, _ := obj["targets"].([]any)
	dq := w.s.Roots.Target
	for dq.Ref != "" {
		dq = w.s.Types[dq.Ref]
	}
	for i, tg := range targets {
		tm, ok := tg.(map[string]any)
		if !ok {
			continue // the panel's own type says targets are objects
		}
		for _, k := range sortedKeys(tm) {
			if prop, ok := dq.Object[k]; ok {
				w.cov.Properties++
				w.walk(tm[k], prop.Type, sc, join(index("targets", i), k))
			}
		}
	}
}

// walkConfig checks a panel-type-dependent object: an unknown property is
// "not <what> in Grafana X".
func (w *walker) walkConfig(obj map[string]any, t Type, sc scope, p, what string) {
	for t.Ref != "" {
		t = w.s.Types[t.Ref]
	}
	for _, k := range sortedKeys(obj) {
		w.cov.Properties++
		prop, ok := t.Object[k]
		switch {
		case ok:
			w.walk(obj[k], prop.Type, sc, join(p, k))
		case t.Additional != nil:
			w.walk(obj[k], *t.Additional, sc, join(p, k))
		default:
			w.add(sc, join(p, k), "not %s in %s", what, w.grafana())
		}
	}
}

// panelName names a panel in messages by its title, or by its id when its
// title is not a string.
func panelName(obj map[string]any) string {
	if title, ok := obj["title"].(string); ok {
		return fmt.Sprintf("panel %q", title)
	}
	return "panel id " + describe(obj["id"])
}

// typeWords names a type in a message: "a variable (dashboard.VariableModel)".
func typeWords(name string) string {
	switch name {
	case "":
		return "this object"
	case panelType:
		return "a panel (" + name + ")"
	case rowType:
		return "a row (" + name + ")"
	case variableType:
		return "a variable (" + name + ")"
	case "dashboard.Dashboard":
		return "a dashboard (" + name + ")"
	}
	return name
}

// kind is a JSON value's primitive kind, as the notation names it.
func kind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case float64:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	case []any:
		return "array"
	}
	return "object"
}

// describe shows a value in a message: a scalar as JSON, else its kind.
func describe(v any) string {
	switch v.(type) {
	case []any, map[string]any:
		return "an " + kind(v)
	}
	data, _ := json.Marshal(v)
	return string(data)
}

// values lists enum values as JSON: "basic", "gradient", "lcd".
func values(vs []any) string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = describe(v)
	}
	return strings.Join(out, ", ")
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
