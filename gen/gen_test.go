package gen

import (
	"bytes"
	"flag"
	"fmt"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the committed outputs (the golden files) from envs/")

// TestGolden: every output rendered from the real envs/ is byte for byte
// the committed file (the committed outputs are the golden files, reviewed
// in every change). With -update it writes them, as `mage gen` does.
func TestGolden(t *testing.T) {
	_, files, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if *update {
		if err := Write(repoRoot, files); err != nil {
			t.Fatal(err)
		}
	}
	drifts, err := Compare(repoRoot, files)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range drifts {
		t.Errorf("%s: %s (run go test ./gen -update or go run mage.go gen)\n%s", d.Path, d.Kind, d.Diff)
	}
}

// TestDeterministic: two runs render identical bytes.
func TestDeterministic(t *testing.T) {
	_, a, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	_, b, err := Generate(repoRoot)
	if err != nil {
		t.Fatal(err)
	}
	if len(a) != len(b) {
		t.Fatalf("%d files, then %d", len(a), len(b))
	}
	for i := range a {
		if a[i].Path != b[i].Path || !bytes.Equal(a[i].Data, b[i].Data) {
			t.Errorf("%s differs between two runs", a[i].Path)
		}
	}
}

// TestRuleCases evaluates the alert rules on Prometheus's engine: in each
// environment, every alert fires just above its threshold (only after
// `for`), stays quiet just below it, and the other environment, healthy and
// busy, raises nothing. Annotations only read labels the alert carries.
func TestRuleCases(t *testing.T) {
	m, files := generate(t)
	cases, err := DeriveRuleCases(m.Stack)
	if err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, g := range m.Stack.Outputs.Alerts.Rules.Groups {
		want += 2 * len(g.Rules)
	}
	if len(cases) != want || want == 0 {
		t.Fatalf("%d derived cases, want %d (above and below per alert per environment)", len(cases), want)
	}
	seen := map[string]bool{}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			failures, err := RunRuleCase(m.Stack, files[m.Stack.Outputs.Alerts.Path], c)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range failures {
				t.Error(f)
			}
		})
		seen[fmt.Sprintf("%s/%s", c.Env, c.Alert)] = true
	}
	for env := range m.Stack.Envs {
		for alert := range m.Stack.Envs[env].Alerts {
			if !seen[env+"/"+alert] {
				t.Errorf("no case for alert %s in env %s", alert, env)
			}
		}
	}
}
