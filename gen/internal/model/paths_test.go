package model

import (
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"cuelang.org/go/cue"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// pathConstants reads every Path constant from paths.go, so that a path
// added there is resolved here without a second list to keep.
func pathConstants(t *testing.T) map[string]Path {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "paths.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]Path{}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Path" {
				continue
			}
			for i, n := range vs.Names {
				v, err := strconv.Unquote(vs.Values[i].(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				out[n.Name] = Path(v)
			}
		}
	}
	if len(out) < 50 {
		t.Fatalf("read %d Path constants from paths.go: is the parse broken?", len(out))
	}
	return out
}

// resolves reports whether p names a value of v; a "*" matches any field
// or element, so the template resolves when one instance of it does.
func resolves(v cue.Value, p Path) bool {
	return walk(v, strings.Split(strings.ReplaceAll(string(p), "[", ".["), "."))
}

func walk(v cue.Value, sels []string) bool {
	if !v.Exists() || len(sels) == 0 {
		return v.Exists()
	}
	switch s := sels[0]; s {
	case "*":
		it, err := v.Fields()
		for err == nil && it.Next() {
			if walk(it.Value(), sels[1:]) {
				return true
			}
		}
		return false
	case "[*]":
		it, err := v.List()
		for err == nil && it.Next() {
			if walk(it.Value(), sels[1:]) {
				return true
			}
		}
		return false
	default:
		return walk(v.LookupPath(cue.MakePath(cue.Str(s))), sels[1:])
	}
}

// unresolved lists the constants that name no value of m, sorted.
func unresolved(m *Model, paths map[string]Path) []string {
	var env cue.Value
	for _, n := range slices.Sorted(maps.Keys(m.cue.envs)) {
		env = m.cue.envs[n]
		break
	}
	var missing []string
	for _, name := range slices.Sorted(maps.Keys(paths)) {
		v := m.cue.stack
		if strings.HasPrefix(name, "PathInEnv") {
			v = env
		}
		if !resolves(v, paths[name]) {
			missing = append(missing, name)
		}
	}
	return missing
}

// TestPathsResolve: every CUE path the Go code names exists in the
// fixture's model, so a renamed CUE field fails here rather than leaving
// a problem without its position.
func TestPathsResolve(t *testing.T) {
	paths := pathConstants(t)
	m, err := Load(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range unresolved(m, paths) {
		t.Errorf("%s (%q) names no value of the fixture: was the CUE field renamed?", name, paths[name])
	}
	// The fixture's schema/ is the real one (a link), so a copy cannot
	// rename the CUE field; a constant that no longer matches it is the
	// same mismatch seen from the Go side.
	t.Run("renamed field", func(t *testing.T) {
		stale := maps.Clone(paths)
		stale["PathSettingsRunbookDoc"] = "settings.runbook_docs"
		stale["PathK8sRuleSpec"] = "outputs.kubernetes.rules.objects[*].spec"
		want := []string{"PathK8sRuleSpec", "PathSettingsRunbookDoc"}
		if got := unresolved(m, stale); !slices.Equal(got, want) {
			t.Errorf("unresolved = %v, want %v", got, want)
		}
	})
}

// TestPathAt: indexes and field names fill the "*" parts in order, names
// quoted (prod-eu is no identifier); a wrong count or kind panics.
func TestPathAt(t *testing.T) {
	if got := PathAlertRuleExpr.At(1, 2); got != "outputs.alerts.rules.groups[1].rules[2].expr" {
		t.Errorf("At(1, 2) = %s", got)
	}
	if got := PathEnvAlert.At("prod-eu", "LMSApiDown"); got != `envs."prod-eu".alerts."LMSApiDown"` {
		t.Errorf("At(prod-eu, LMSApiDown) = %s", got)
	}
	for _, tc := range []struct {
		p     Path
		parts []any
	}{
		{PathAlertRuleExpr, []any{1}},
		{PathAlertRuleExpr, []any{1, 2, 3}},
		{PathDashboard, []any{0}},
		{PathRuleTest, []any{"x"}},
		{PathRuleTest, []any{1.5}},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s.At(%v) did not panic", tc.p, tc.parts)
				}
			}()
			tc.p.At(tc.parts...)
		}()
	}
}

// TestReleasedModelLocates: a released model gives the same positions as
// before, from an evaluation of its own, which it then keeps; a position
// in an environment evaluates the environments alone, one in the stack the
// stack too.
func TestReleasedModelLocates(t *testing.T) {
	m, err := Load(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	lookups := []struct {
		env  string
		path Path
	}{{"prod", "alerts.LMSHighErrorRate.threshold"}, {"", PathSettingsRunbookDoc}}
	var before []string
	for _, l := range lookups {
		before = append(before, m.PosOf(l.env, l.path))
	}
	if slices.Contains(before, "") {
		t.Fatalf("positions before the release: %q, want every one", before)
	}
	m.Release()
	if !m.Released() {
		t.Fatal("Release left the values")
	}
	for i, l := range lookups {
		if got := m.PosOf(l.env, l.path); got != before[i] {
			t.Errorf("%s %s: %q once released, %q before", l.env, l.path, got, before[i])
		}
		m.cueMu.Lock()
		if stack := m.cue != nil && m.cue.stackOK; stack != (l.env == "") {
			t.Errorf("%q %s: the stack is evaluated: %v, want %v", l.env, l.path, stack, l.env == "")
		}
		m.cueMu.Unlock()
	}
	if m.Released() {
		t.Error("PosOf evaluated the model again and dropped it: the next position pays again")
	}
}
