package gen

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/rules"
	"github.com/lms/lms-ops/gen/internal/toolbin"
)

// promtool runs `promtool test rules` (Prometheus v2.54.1's, the version
// go.mod pins; see promtoolRules) on the test file under root, on the cases
// whose name matches run (every case when run is ""), and reports whether
// it passed, with its output. promtool evaluates every group at every
// evaluation interval of every case, about a minute for the whole file: a
// run about one broken alert reads that alert's cases only.
func promtool(t *testing.T, root, testFile, run string) (bool, string) {
	t.Helper()
	abs, err := filepath.Abs(filepath.Join(root, testFile))
	if err != nil {
		t.Fatal(err)
	}
	args := []string{"test", "rules", abs}
	if run != "" {
		args = append(args, "--run", run)
	}
	out, err := exec.Command(promtoolRules(t), args...).CombinedOutput()
	if !strings.Contains(string(out), "Unit Testing:") {
		t.Fatalf("promtool did not run: %v\n%s", err, out)
	}
	return err == nil, string(out)
}

var promtoolBuild struct {
	once sync.Once
	bin  string
	err  error
}

// promtoolRules is the binary of internal/promtoolrules: promtool's own
// cmd/promtool/unittest.go, from the module cache of the Prometheus go.mod
// pins, built beside an entry point that calls it as promtool's main does.
// `go tool promtool` would build all of promtool first (137 s of a cold
// build, for `test rules` alone).
func promtoolRules(t *testing.T) string {
	t.Helper()
	b := &promtoolBuild
	b.once.Do(func() {
		root, err := filepath.Abs("..")
		if err != nil {
			b.err = err
			return
		}
		cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/prometheus/prometheus")
		cmd.Dir = root
		dir, err := cmd.Output()
		if err != nil {
			b.err = fmt.Errorf("locate Prometheus in the module cache: %v", err)
			return
		}
		pkg := filepath.Join(root, "internal", "promtoolrules")
		b.bin, b.err = toolbin.BinaryWith(root, "./internal/promtoolrules", toolbin.Options{
			Tags: "promtoolrules",
			Overlay: map[string]string{
				filepath.Join(pkg, "unittest.go"): filepath.Join(strings.TrimSpace(string(dir)), "cmd", "promtool", "unittest.go"),
			},
		})
	})
	if b.err != nil {
		t.Fatalf("build promtool's test rules: %v", b.err)
	}
	return b.bin
}

// TestPromtoolAgrees: `promtool test rules` on the generated test file gives
// the verdict check gives, on the real rules (both pass) and on a rule
// broken on purpose (both fail on the same case).
func TestPromtoolAgrees(t *testing.T) {
	t.Parallel()
	m, err := Load(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	testFile := m.Stack.Outputs.RuleTests.Path
	if ok, out := promtool(t, fixtureRoot, testFile, ""); !ok {
		t.Fatalf("promtool fails on the committed rules and tests, check passes:\n%s", out)
	}

	// Break the production latency alert's direction in the rendered rule
	// file only, keeping the test file: both engines must fail its cases.
	root := copyRepo(t)
	ruleFile := filepath.Join(root, m.Stack.Outputs.Alerts.Path)
	data, err := os.ReadFile(ruleFile)
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "          ) > 0.75", "          ) < 0.75", 1)
	if broken == string(data) {
		t.Fatal("the p95 comparison was not found in the rule file")
	}
	if err := os.WriteFile(ruleFile, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	ok, out := promtool(t, root, testFile, "^prod/LMSHighP95Latency/")
	if ok {
		t.Fatal("promtool passes a broken rule file")
	}
	if !strings.Contains(out, "prod/LMSHighP95Latency/above") {
		t.Errorf("promtool does not name the case check names (prod/LMSHighP95Latency/above):\n%s", out)
	}
	ps := rules.CheckRuleTests(&Model{Stack: m.Stack}, output.Files{m.Stack.Outputs.Alerts.Path: []byte(broken)})
	if !strings.Contains(ps.Error(), "case prod/LMSHighP95Latency/above") {
		t.Errorf("check does not fail the case promtool fails:\n%v", ps)
	}
}

// TestPromtoolAgreesOnDeclarations: the expectations of the promtool file
// are the ones the cases declare, not what an engine printed. A declared
// value the expression does not give fails the rule-tests check and
// promtool alike, on the same case.
func TestPromtoolAgreesOnDeclarations(t *testing.T) {
	t.Parallel()
	root := copyRepo(t)
	edit(t, root, "derive/rules_tests.cue", `errors: 10 * over, ok: 10 - errors}).series
				value: over`, `errors: 10 * over, ok: 10 - errors}).series
				value: over * 2`)
	_, err := Generate(root)
	if err == nil || !strings.Contains(err.Error(), "case prod/LMSHighErrorRate/above: [rule-tests]") {
		t.Fatalf("check does not fail the case whose declaration is wrong: %v", err)
	}
	// Render without that check and write, as if gen had not verified.
	res, err := Run(root, Options{Skip: map[string]string{"rule-tests": "the test runs promtool instead"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(root, res.Files); err != nil {
		t.Fatal(err)
	}
	ok, out := promtool(t, root, res.Model.Stack.Outputs.RuleTests.Path, "^prod/LMSHighErrorRate/")
	if ok || !strings.Contains(out, "prod/LMSHighErrorRate/above") {
		t.Errorf("promtool does not fail prod/LMSHighErrorRate/above (passed %v):\n%s", ok, out)
	}
}
