package gen

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestCRDDefinitions pins the CUE definitions of the operator's CRDs: they
// are exactly what `go run mage.go crds` generates from the committed CRDs
// with the pinned CUE CLI, and the CRDs are the release
// settings.kubernetes.operator.version names.
func TestCRDDefinitions(t *testing.T) {
	t.Parallel()
	root := filepath.Join(fixtureRoot, "..", "..")
	defs, err := CRDDefinitions(root)
	if err != nil {
		t.Fatal(err)
	}
	drift, err := CRDDefinitionsDrift(root, defs)
	if err != nil {
		t.Fatal(err)
	}
	if len(drift) > 0 {
		t.Errorf("run go run mage.go crds:\n%s", strings.Join(drift, "\n"))
	}
	// The comparison fires: a definition edited by hand, or one more file.
	edited := map[string][]byte{"v1/extra.cue": []byte("package v1\n")}
	for p, d := range defs {
		edited[p] = d
	}
	edited["v1/prometheus.cue"] = append([]byte("// edited\n"), defs["v1/prometheus.cue"]...)
	if drift, _ := CRDDefinitionsDrift(root, edited); len(drift) != 2 {
		t.Errorf("a hand-edited and a missing definition give drift %q, want 2 entries", drift)
	}

	m, err := Load(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.TrimPrefix(m.Stack.Settings.Kubernetes.Operator.Version, "v")
	crds, _ := filepath.Glob(filepath.Join(root, CRDDir, "*.yaml"))
	version := regexp.MustCompile(`(?m)^\s+operator\.prometheus\.io/version: (\S+)$`)
	for _, p := range crds {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := version.FindSubmatch(data); got == nil || string(got[1]) != want {
			t.Errorf("%s: operator.prometheus.io/version %q, want %s (settings.kubernetes.operator.version)", filepath.Base(p), got, want)
		}
	}
}
