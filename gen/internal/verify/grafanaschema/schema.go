// Package grafanaschema holds generated dashboards to what one Grafana
// release accepts, as that release's own npm package @grafana/schema
// (Apache-2.0) declares it: the dashboard, panel, query and variable
// properties, each panel type's options and custom field config, and the
// enums.
//
// Grafana cannot run here and its Go module is AGPL, so the foundation
// SDK's types were the only gate; they model Grafana 12, and accepted
// properties Grafana 11.2 does not have. The schema is derived once, by a
// maintainer, from the package's TypeScript declarations (go run mage.go
// grafanaschema: npm, tools/grafanaschema/extract.mjs) and vendored here as
// grafana-schema-<version>.json with its provenance; gen and check read only
// that file, so the user's machine needs Go alone.
package grafanaschema

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"
)

// Dir is where the vendored schema lives, relative to the repository root.
const Dir = "gen/internal/verify/grafanaschema"

// FilePrefix and FileSuffix frame the vendored file's name around the
// Grafana version it describes.
const (
	FilePrefix = "grafana-schema-"
	FileSuffix = ".json"
)

// RegenerateCommand is how a maintainer derives the schema of the release
// versions.grafana names.
const RegenerateCommand = "go run mage.go grafanaschema"

//go:embed grafana-schema-*.json
var vendored embed.FS

// Schema is what one Grafana release's @grafana/schema accepts.
type Schema struct {
	// Package and Version name the npm package the schema is derived from.
	Package string `json:"package"`
	Version string `json:"version"`
	License string `json:"license"`
	// Extractor names the script and TypeScript version that derived it.
	Extractor string `json:"extractor"`
	// Provenance is the tarball the schema was derived from.
	Provenance Provenance `json:"provenance"`
	// Roots are the types of a whole dashboard and of a panel query.
	Roots struct {
		Dashboard Type `json:"dashboard"`
		Target    Type `json:"target"`
	} `json:"roots"`
	// Panels are the panel types, by the directory the package declares
	// them in (raw/composable/<type>/panelcfg), which is the panel type
	// of Grafana's core panels.
	Panels map[string]Panel `json:"panels"`
	// Types are the named types, by module and name ("common.VizLegendOptions").
	Types map[string]Type `json:"types"`
}

// Provenance says where the vendored schema comes from.
type Provenance struct {
	Tarball   string `json:"tarball"`
	Integrity string `json:"integrity"`
	SHA256    string `json:"sha256"`
}

// Panel is one panel type's configuration.
type Panel struct {
	PluginVersion string `json:"pluginVersion"`
	Options       Type   `json:"options"`
	FieldConfig   Type   `json:"fieldConfig"`
}

// Type is one type in the notation of tools/grafanaschema/extract.mjs:
// exactly one of its fields is set.
type Type struct {
	// Prim is "string", "number", "boolean", "null" or "any".
	Prim string
	// Ref names a type of Schema.Types.
	Ref string
	// Array is the type of an array's items.
	Array *Type
	// Enum lists the values a literal union or TypeScript enum allows.
	Enum []any
	// AnyOf lists a union's members.
	AnyOf []Type
	// Object is set for an object type: its properties, closed unless
	// Additional (an index signature) is set.
	Object     map[string]Property
	Additional *Type
}

// Property is one property of an object type.
type Property struct {
	Type     Type `json:"type"`
	Optional bool `json:"optional"`
}

// UnmarshalJSON decodes the notation: a string is a primitive, an object
// has one of ref, array, enum, anyOf or object.
func (t *Type) UnmarshalJSON(data []byte) error {
	var prim string
	if err := json.Unmarshal(data, &prim); err == nil {
		switch prim {
		case "string", "number", "boolean", "null", "any":
			t.Prim = prim
			return nil
		}
		return fmt.Errorf("unknown primitive type %q", prim)
	}
	var raw struct {
		Ref        string              `json:"ref"`
		Array      *Type               `json:"array"`
		Enum       []any               `json:"enum"`
		AnyOf      []Type              `json:"anyOf"`
		Object     map[string]Property `json:"object"`
		Additional *Type               `json:"additional"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	*t = Type{Ref: raw.Ref, Array: raw.Array, Enum: raw.Enum, AnyOf: raw.AnyOf, Object: raw.Object, Additional: raw.Additional}
	if raw.Object != nil && t.Object == nil {
		t.Object = map[string]Property{}
	}
	if t.Ref == "" && t.Array == nil && t.Enum == nil && t.AnyOf == nil && raw.Object == nil {
		return fmt.Errorf("type %s: none of ref, array, enum, anyOf, object", data)
	}
	return nil
}

// Parse decodes a schema file and checks that every reference resolves.
func Parse(data []byte) (*Schema, error) {
	var s Schema
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, err
	}
	if s.Package != "@grafana/schema" || s.Version == "" {
		return nil, fmt.Errorf("not a @grafana/schema derivation (package %q, version %q)", s.Package, s.Version)
	}
	var missing []string
	var visit func(t Type)
	visit = func(t Type) {
		if t.Ref != "" {
			if _, ok := s.Types[t.Ref]; !ok {
				missing = append(missing, t.Ref)
			}
		}
		if t.Array != nil {
			visit(*t.Array)
		}
		if t.Additional != nil {
			visit(*t.Additional)
		}
		for _, m := range t.AnyOf {
			visit(m)
		}
		for _, p := range t.Object {
			visit(p.Type)
		}
	}
	visit(s.Roots.Dashboard)
	visit(s.Roots.Target)
	for _, p := range s.Panels {
		visit(p.Options)
		visit(p.FieldConfig)
	}
	for _, t := range s.Types {
		visit(t)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("@grafana/schema %s: undefined types %s", s.Version, strings.Join(missing, ", "))
	}
	return &s, nil
}

// Vendored is the schema vendored in this package (File names it), parsed
// once per process. Exactly one grafana-schema-<version>.json is vendored:
// the release versions.grafana names.
var Vendored = sync.OnceValues(func() (*Schema, error) {
	name, err := File()
	if err != nil {
		return nil, err
	}
	data, err := vendored.ReadFile(name)
	if err != nil {
		return nil, err
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path.Join(Dir, name), err)
	}
	if want := FilePrefix + s.Version + FileSuffix; name != want {
		return nil, fmt.Errorf("%s holds @grafana/schema %s; its name must be %s", path.Join(Dir, name), s.Version, want)
	}
	return s, nil
})

// File is the name of the one vendored schema file.
func File() (string, error) {
	names, err := fs.Glob(vendored, FilePrefix+"*"+FileSuffix)
	if err != nil {
		return "", err
	}
	if len(names) != 1 {
		return "", fmt.Errorf("%s: %d vendored schema files (%s), want exactly one; %s writes it", Dir, len(names), strings.Join(names, ", "), RegenerateCommand)
	}
	return names[0], nil
}

// EnumCount is the number of named enums the schema holds, for reports.
func (s *Schema) EnumCount() int {
	n := 0
	for _, t := range s.Types {
		if t.Enum != nil {
			n++
		}
	}
	return n
}
