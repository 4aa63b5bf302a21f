package gen

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// configCheck is what `mage check` proves of a configuration: gen renders
// and verifies it, and the files on disk are exactly what it renders.
func configCheck(root string) error {
	res, err := Generate(root)
	if err != nil {
		return err
	}
	drifts, err := Compare(root, res.Files)
	if err != nil {
		return err
	}
	var msgs []string
	for _, d := range drifts {
		msgs = append(msgs, fmt.Sprintf("%s: %s", d.Path, d.Kind))
	}
	if len(msgs) > 0 {
		return errors.New(strings.Join(msgs, "\n"))
	}
	return nil
}

// copyDir copies the directory src (relative to root) to dst.
func copyDir(t *testing.T, root, src, dst string) {
	t.Helper()
	entries, err := os.ReadDir(filepath.Join(root, src))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(root, dst), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(root, src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, dst, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestOperatorEdits makes, one after the other on a copy of the fixture,
// the valid edits an operator makes in envs/ (thresholds up and down, a
// zero `for`, a short and a long window, a renamed Slack channel, a new
// environment, a removed one). After each, gen passes and the configuration
// check that CI runs is green: an operator's valid edit never turns CI red.
func TestOperatorEdits(t *testing.T) {
	t.Parallel()
	root := copyRepo(t)
	type step struct {
		name string
		do   func()
	}
	steps := []step{
		{"raise the production p95 threshold", func() {
			edit(t, root, "envs/prod/alerts.cue", "LMSHighP95Latency: {threshold: 0.75,", "LMSHighP95Latency: {threshold: 0.76,")
		}},
		{"lower the staging error-rate threshold", func() {
			edit(t, root, "envs/staging/alerts.cue", "LMSHighErrorRate: {threshold: 0.05,", "LMSHighErrorRate: {threshold: 0.001,")
		}},
		{"fire on the first evaluation", func() {
			edit(t, root, "envs/prod/alerts.cue", `LMSApiDown: for: "2m"`, `LMSApiDown: for: "0s"`)
		}},
		{"a one-minute window and an hour of for", func() {
			edit(t, root, "envs/prod/alerts.cue", `LMSHighErrorRate: {threshold: 0.05, window: "5m", for: "10m"}`, `LMSHighErrorRate: {threshold: 0.05, window: "1m", for: "1h"}`)
		}},
		{"a six-hour window", func() {
			edit(t, root, "envs/staging/alerts.cue", `LMSRateLimitSpike: {threshold: 2, window: "5m", for: "10m"}`, `LMSRateLimitSpike: {threshold: 0.5, window: "6h", for: "15m"}`)
		}},
		{"rename a Slack channel", func() {
			edit(t, root, "envs/prod/env.cue", `"#lms-prod-alerts"`, `"#lms-prod-oncall"`)
		}},
		{"add an environment", func() {
			copyDir(t, root, "envs/staging", "envs/qa")
			edit(t, root, "envs/qa/env.cue", `"lms_api_staging"`, `"lms_api_qa"`)
			edit(t, root, "envs/qa/env.cue", `"host.docker.internal:8001"`, `"host.docker.internal:8002"`)
			edit(t, root, "envs/qa/env.cue", `environment: "staging"`, `environment: "qa"`)
			edit(t, root, "envs/qa/env.cue", `"#lms-staging-alerts"`, `"#lms-qa-alerts"`)
		}},
		{"turn high availability on", func() {
			edit(t, root, "envs/stack.cue", "enabled:               false", "enabled:               true")
		}},
		{"remove an environment", func() {
			if err := os.RemoveAll(filepath.Join(root, "envs/staging")); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, st := range steps {
		st.do()
		if err := genInto(root); err != nil {
			t.Fatalf("after %q, gen fails:\n%v", st.name, err)
		}
		if err := configCheck(root); err != nil {
			t.Fatalf("after %q and gen, the configuration check fails:\n%v", st.name, err)
		}
	}
}

// TestPreconditionSkips: a hand-written case whose precondition does not
// hold for the configured values is skipped with its reason, and gen
// passes; with values where it holds, it runs.
func TestPreconditionSkips(t *testing.T) {
	t.Parallel()
	root := copyRepo(t)
	m, err := Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Skipped) != 0 {
		t.Fatalf("the fixture's values skip %q", m.Skipped)
	}
	edit(t, root, "envs/prod/alerts.cue", `LMSHighErrorRate: {threshold: 0.05, window: "5m", for: "10m"}`, `LMSHighErrorRate: {threshold: 0.05, window: "30m", for: "5m"}`)
	m, err = Generate(root)
	if err != nil {
		t.Fatal(err)
	}
	want := `rule test "prod: a single burst of 5xx, visible for one window (30m), does not fire LMSHighErrorRate (for 5m)" skipped: for (5m) is not longer than the window (30m)`
	if len(m.Skipped) != 1 || !strings.HasPrefix(m.Skipped[0], want) {
		t.Errorf("skipped %q, want one starting %q", m.Skipped, want)
	}
}
