package gen

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// promtool runs `go tool promtool test rules` (Prometheus v0.54.1's
// promtool, pinned by the tool directive of go.mod) on the test file under
// root and reports whether it passed, with its output.
func promtool(t *testing.T, root string, testFile string) (bool, string) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, testFile))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", "tool", "promtool", "test", "rules", abs)
	cmd.Dir = fixtureRoot // the module that pins promtool
	out, err := cmd.CombinedOutput()
	if !strings.Contains(string(out), "Unit Testing:") {
		t.Fatalf("promtool did not run: %v\n%s", err, out)
	}
	return err == nil, string(out)
}

// TestPromtoolAgrees: `promtool test rules` on the generated test file gives
// the verdict check gives, on the real rules (both pass) and on a rule
// broken on purpose (both fail on the same case).
func TestPromtoolAgrees(t *testing.T) {
	m, _ := generate(t)
	testFile := PromtoolTestsPath(m.Stack)
	if ok, out := promtool(t, fixtureRoot, testFile); !ok {
		t.Fatalf("promtool fails on the committed rules and tests, check passes:\n%s", out)
	}

	// Break the production latency alert's direction in the rendered rule
	// file only, keeping the test file: both engines must fail its cases.
	root := copyRepo(t)
	rules := filepath.Join(root, m.Stack.Outputs.Alerts.Path)
	data, err := os.ReadFile(rules)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "          ) > 0.75", "          ) < 0.75", 1)
	if broken == string(data) {
		t.Fatal("the p95 comparison was not found in the rule file")
	}
	if err := os.WriteFile(rules, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	ok, out := promtool(t, root, testFile)
	if ok {
		t.Fatal("promtool passes a broken rule file")
	}
	if !strings.Contains(out, "prod/LMSHighP95Latency/above") {
		t.Errorf("promtool does not name the case check names (prod/LMSHighP95Latency/above):\n%s", out)
	}
	ps := checkRuleTests(&Model{Stack: m.Stack}, Files{m.Stack.Outputs.Alerts.Path: []byte(broken)})
	if !strings.Contains(ps.Error(), "case prod/LMSHighP95Latency/above") {
		t.Errorf("check does not fail the case promtool fails:\n%v", ps)
	}
}
