package gen

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/lms/lms-ops/gen"

// layers are gen's packages from the bottom up: each may import only the
// layers below its own, never one beside or above it, so the pipeline's
// data flows one way (load → render → verify → write).
var layers = [][]string{
	{"internal/output", "internal/toolbin", "internal/gitref", "internal/verify/grafanaschema", "internal/memo", "internal/cueedit"},
	{"internal/model"},
	{"internal/promql"},
	{"internal/render/dashboards"},
	{"internal/render"},
	{"internal/rules", "internal/routes"},
	{"internal/verify", "internal/semdiff"},
	{""}, // gen itself, the facade
}

// layerViolations lists every dependency (direct or not, as `go list
// -deps` gives them) that is not below its package's layer.
func layerViolations(deps map[string][]string) []string {
	rank := map[string]int{}
	for i, l := range layers {
		for _, p := range l {
			rank[strings.TrimSuffix(module+"/"+p, "/")] = i
		}
	}
	var out []string
	for pkg, ds := range deps {
		r, ok := rank[pkg]
		if !ok {
			out = append(out, pkg+" has no layer")
			continue
		}
		for _, d := range ds {
			if dr, ok := rank[d]; ok && d != pkg && dr >= r {
				out = append(out, pkg+" imports "+d)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestLayers: `go list -deps` of every package of gen shows no import
// running up or sideways.
func TestLayers(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}}", "./...").Output()
	if err != nil {
		t.Fatal(err)
	}
	deps := map[string][]string{}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasSuffix(pkg, "/testfix") { // test helper, imported by tests only
			continue
		}
		ds, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}}", pkg).Output()
		if err != nil {
			t.Fatal(err)
		}
		deps[pkg] = strings.Fields(string(ds))
	}
	if len(deps) < len(layers) {
		t.Fatalf("go list found %d packages, fewer than the layers", len(deps))
	}
	for _, v := range layerViolations(deps) {
		t.Error(v)
	}
}

// TestLayerViolations: an import up, one sideways and a package outside
// the layers are each reported.
func TestLayerViolations(t *testing.T) {
	got := layerViolations(map[string][]string{
		module + "/internal/model":  {module + "/internal/model", module + "/internal/output", module + "/internal/render"},
		module + "/internal/rules":  {module + "/internal/routes", module + "/internal/promql"},
		module + "/internal/extra":  nil,
		module + "/internal/verify": {module + "/internal/rules", "fmt"},
	})
	want := []string{
		module + "/internal/extra has no layer",
		module + "/internal/model imports " + module + "/internal/render",
		module + "/internal/rules imports " + module + "/internal/routes",
	}
	if !slices.Equal(got, want) {
		t.Errorf("violations\n%q\nwant\n%q", got, want)
	}
}
