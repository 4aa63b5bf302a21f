package cueedit

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"
)

const env = `package env

// The target is scraped.
target: "host:8000"
labels: {
	service:     "lms-backend"
	environment: "staging"
}
pages: ["critical", "warning"]
`

func TestApplyAndString(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "envs", "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "envs", "staging", "env.cue")
	if err := os.WriteFile(file, []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Apply(root, []Override{
		{Dir: "envs/staging", Path: "labels.environment", Value: ast.NewString("staging-eu")},
		{Dir: "envs/staging", Path: "target", Value: ast.NewString("host:8001")},
	}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{"target": "host:8001", "labels.environment": "staging-eu", "labels.service": "lms-backend"} {
		if got, err := String(root, "envs/staging", path); err != nil || got != want {
			t.Errorf("String(%s) = %q, %v; want %q", path, got, err, want)
		}
	}
	data, _ := os.ReadFile(file)
	if !strings.Contains(string(data), "// The target is scraped.") {
		t.Errorf("the comment is lost:\n%s", data)
	}
	for _, tc := range []struct{ path, want string }{
		{"labels.environmentt", "found 0 times"},
		{"labels", "not a literal"},
	} {
		_, err := String(root, "envs/staging", tc.path)
		if tc.path == "labels.environmentt" {
			err = Apply(root, []Override{{Dir: "envs/staging", Path: tc.path, Value: ast.NewString("x")}})
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.path, err, tc.want)
		}
	}
}

func TestStrings(t *testing.T) {
	root := t.TempDir()
	if err := os.MkdirAll(filepath.Join(root, "envs", "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "envs", "staging", "env.cue"), []byte(env), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Strings(root, "envs/staging", "pages")
	if err != nil || strings.Join(got, ",") != "critical,warning" {
		t.Errorf("Strings(pages) = %q, %v; want [critical warning]", got, err)
	}
	for _, tc := range []struct{ path, want string }{
		{"target", "not a list literal"},
		{"labels", "not a list literal"},
		{"pagez", "found 0 times"},
	} {
		if _, err := Strings(root, "envs/staging", tc.path); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.path, err, tc.want)
		}
	}
}
