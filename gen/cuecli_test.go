package gen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// cue runs the CUE command line tool of the same version as the Go API
// (pinned by the tool directive of go.mod) in dir.
func cue(t *testing.T, dir string, args ...string) ([]byte, error) {
	t.Helper()
	bin, err := ToolBinary(filepath.Join(fixtureRoot, "..", ".."), "cuelang.org/go/cmd/cue")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return append(out, stderr.Bytes()...), err
	}
	return out, nil
}

// TestCUECLI: through the generated index of the environments, the CUE
// command line sees the stack gen sees. It vets the whole module; its
// export of the Alertmanager config is the generated file, YAML-normalised;
// and it rejects a top-level typo in an environment's file, as gen does.
func TestCUECLI(t *testing.T) {
	t.Parallel()
	if out, err := cue(t, fixtureRoot, "vet", "-c", "./..."); err != nil {
		t.Errorf("cue vet -c ./...: %v\n%s", err, out)
	}
	m, err := Load(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	out, err := cue(t, fixtureRoot, "export", "./"+EnvsDir, "-e", "outputs.alertmanager.config", "--out", "yaml")
	if err != nil {
		t.Fatalf("cue export: %v\n%s", err, out)
	}
	committed, err := os.ReadFile(filepath.Join(fixtureRoot, m.Stack.Outputs.Alertmanager.Path))
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := yaml.Unmarshal(out, &a); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(committed, &b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("cue export of outputs.alertmanager.config differs from %s (-generated +cue):\n%s", m.Stack.Outputs.Alertmanager.Path, diff)
	}

	// The Kubernetes objects too: the CLI evaluates the same Prometheus
	// object, unified with the CRD's definition, that gen writes.
	out, err = cue(t, fixtureRoot, "export", "./"+EnvsDir, "-e", "outputs.kubernetes.prometheus.object", "--out", "yaml")
	if err != nil {
		t.Fatalf("cue export: %v\n%s", err, out)
	}
	committed, err = os.ReadFile(filepath.Join(fixtureRoot, m.Stack.Outputs.Kubernetes.Prometheus.Path))
	if err != nil {
		t.Fatal(err)
	}
	a, b = nil, nil
	if err := yaml.Unmarshal(out, &a); err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(committed, &b); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(b, a); diff != "" {
		t.Errorf("cue export of outputs.kubernetes.prometheus.object differs from %s (-generated +cue):\n%s", m.Stack.Outputs.Kubernetes.Prometheus.Path, diff)
	}

	root := copyRepo(t)
	edit(t, root, "envs/staging/env.cue", `job:          "lms_api_staging"`, "job:          \"lms_api_staging\"\nthresholdz:   1")
	out, err = cue(t, root, "vet", "-c", "./"+EnvsDir)
	if err == nil || !strings.Contains(string(out), "thresholdz: field not allowed") {
		t.Errorf("cue vet ./envs accepts a typo in envs/staging/env.cue (err %v):\n%s", err, out)
	}
	if _, err := Generate(root); err == nil || !strings.Contains(err.Error(), "thresholdz") {
		t.Errorf("gen accepts a typo in envs/staging/env.cue: %v", err)
	}
}
