// Package cueedit is the one way lms-ops edits CUE files: on their syntax
// tree, field by field, each field required to be found exactly once (a
// renamed field fails instead of being skipped). e2e and the engine run
// give the loader an overlay of edited files; bench and the scaled copies
// of the model write them.
package cueedit

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
)

// Override is one CUE field set to another value. Nothing else of the
// files changes: the edit replaces the value of exactly this field in the
// syntax tree of its file.
type Override struct {
	// Dir is the package directory, relative to the root ("envs",
	// "envs/prod"); the field is looked for in each of its .cue files.
	Dir string
	// Path is the field, as written in the file ("settings.prometheus.scrape_interval").
	Path string
	// Value is the new value.
	Value ast.Expr
}

func (o Override) String() string { return o.Dir + ": " + o.Path }

// Overlay applies the overrides to the CUE files under root and returns the
// changed files, by absolute path, for the loader's overlay (nothing is
// written). Every override must find its field exactly once.
func Overlay(root string, overrides []Override) (map[string][]byte, error) {
	files := map[string]*ast.File{}
	changed := map[string]bool{}
	for _, o := range overrides {
		field, file, err := theField(files, root, o.Dir, o.Path)
		if err != nil {
			return nil, err
		}
		field.Value = o.Value
		changed[file] = true
	}
	out := map[string][]byte{}
	keys := make([]string, 0, len(changed))
	for p := range changed {
		keys = append(keys, p)
	}
	sort.Strings(keys)
	for _, p := range keys {
		data, err := format.Node(files[p])
		if err != nil {
			return nil, fmt.Errorf("cue edit: format %s: %w", p, err)
		}
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		out[abs] = data
	}
	return out, nil
}

// theField is the one field at path among the .cue files of the package
// dir under root (parsed into files), and the file that holds it.
func theField(files map[string]*ast.File, root, dir, path string) (*ast.Field, string, error) {
	paths, err := filepath.Glob(filepath.Join(root, dir, "*.cue"))
	if err != nil {
		return nil, "", err
	}
	var field *ast.Field
	var file string
	found := 0
	for _, p := range paths {
		f, err := parsed(files, p)
		if err != nil {
			return nil, "", err
		}
		for _, fd := range findFields(f.Decls, strings.Split(path, ".")) {
			field, file = fd, p
			found++
		}
	}
	if found != 1 {
		return nil, "", fmt.Errorf("cue edit: %s: %s: found %d times, want once", dir, path, found)
	}
	return field, file, nil
}

// parsed parses p once.
func parsed(files map[string]*ast.File, p string) (*ast.File, error) {
	if f, ok := files[p]; ok {
		return f, nil
	}
	src, err := os.ReadFile(p)
	if err != nil {
		return nil, err
	}
	f, err := parser.ParseFile(p, src, parser.ParseComments)
	if err != nil {
		return nil, err
	}
	files[p] = f
	return f, nil
}

// findFields returns the fields at path among decls, following struct
// literals (`a: b: c: v` is a: {b: {c: v}}).
func findFields(decls []ast.Decl, path []string) []*ast.Field {
	var out []*ast.Field
	for _, d := range decls {
		f, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil || name != path[0] {
			continue
		}
		if len(path) == 1 {
			out = append(out, f)
			continue
		}
		if s, ok := f.Value.(*ast.StructLit); ok {
			out = append(out, findFields(s.Elts, path[1:])...)
		}
	}
	return out
}

// Apply is Overlay written back to the files.
func Apply(root string, overrides []Override) error {
	files, err := Overlay(root, overrides)
	if err != nil {
		return err
	}
	for p, data := range files {
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// String is the value of the string field at path in the package dir under
// root, which must be found exactly once.
func String(root, dir, path string) (string, error) {
	field, _, err := theField(map[string]*ast.File{}, root, dir, path)
	if err != nil {
		return "", err
	}
	return stringOf(dir, path, field.Value)
}

// Strings is the value of the field at path in the package dir under root,
// a list of strings written out, which must be found exactly once.
func Strings(root, dir, path string) ([]string, error) {
	field, _, err := theField(map[string]*ast.File{}, root, dir, path)
	if err != nil {
		return nil, err
	}
	list, ok := field.Value.(*ast.ListLit)
	if !ok {
		return nil, fmt.Errorf("cue edit: %s: %s is not a list literal", dir, path)
	}
	var out []string
	for _, e := range list.Elts {
		s, err := stringOf(dir, path, e)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// stringOf is the string e writes, the value (or an element) of path.
func stringOf(dir, path string, e ast.Expr) (string, error) {
	lit, ok := e.(*ast.BasicLit)
	if !ok {
		return "", fmt.Errorf("cue edit: %s: %s is not a literal", dir, path)
	}
	v, err := literal.Unquote(lit.Value)
	if err != nil {
		return "", fmt.Errorf("cue edit: %s: %s is not a string: %w", dir, path, err)
	}
	return v, nil
}
