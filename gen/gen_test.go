package gen

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/lms/lms-ops/gen/internal/render"
)

var update = flag.Bool("update", false, "rewrite the committed outputs (the golden files) from envs/")

// TestGolden: every output rendered from the real envs/ is byte for byte
// the committed file (the committed outputs are the golden files, reviewed
// in every change). With -update it writes them, as `mage gen` does.
func TestGolden(t *testing.T) {
	res, err := Generate(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := Write(fixtureRoot, res.Files); err != nil {
			t.Fatal(err)
		}
	}
	drifts, err := Compare(fixtureRoot, res.Files)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drifts {
		t.Errorf("%s: %s (run go test ./gen -update or go run mage.go gen)\n%s", d.Path, d.Kind, d.Diff)
	}
	// A run without problems needs no position: a check that asks for one
	// before it has a problem makes every run of a large model evaluate it
	// twice.
	if res.Model.Asked() {
		t.Error("a run without problems asked for a position: a check asks for one it does not report")
	}
}

// TestDeterministic: two runs render identical bytes.
func TestDeterministic(t *testing.T) {
	t.Parallel()
	ra, err := Generate(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	rb, err := Generate(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	a, b := ra.Files, rb.Files
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Path)
		}
	}
}

// TestThresholdDrivesAlertAndPanel: one edit of the production latency
// threshold changes the production alert and the dashboard panel that
// shows it, and nothing of staging.
func TestThresholdDrivesAlertAndPanel(t *testing.T) {
	t.Parallel()
	root := copyRepo(t)
	edit(t, root, "envs/prod/alerts.cue", "LMSHighP95Latency: {threshold: 0.75,", "LMSHighP95Latency: {threshold: 0.9,")
	if err := genInto(root); err != nil {
		t.Fatal(err)
	}
	m, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	rules, err := os.ReadFile(filepath.Join(root, m.Stack.Outputs.Alerts.Path))
	if err != nil {
		t.Fatal(err)
	}
	dash, err := os.ReadFile(filepath.Join(root, render.DashboardPath(m.Stack, "lms-api-overview")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`job="lms_api_prod"}[5m]))` + "\n          ) > 0.9", `job="lms_api_staging"}[5m]))` + "\n          ) > 0.75"} {
		if !bytes.Contains(rules, []byte(want)) {
			t.Errorf("alerts.yml lacks %q", want)
		}
	}
	for _, want := range []string{`"value": 0.9`, `vector(0.9), \"environment\", \"production\"`, `vector(0.75), \"environment\", \"staging\"`} {
		if !bytes.Contains(dash, []byte(want)) {
			t.Errorf("lms-api-overview.json lacks %q", want)
		}
	}
}
