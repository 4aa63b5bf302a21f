package checkstamp

import (
	"os"
	"path/filepath"
	"testing"
)

// TestPath: the stamp changes with the code, the schema or a fixture, and
// not with the live configuration, which the tool's tests never read.
func TestPath(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	root := t.TempDir() // no git checkout: every file but .git's
	write := func(rel, data string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("gen/load.go", "package gen")
	write("envs/prod/alerts.cue", "threshold: 0.05")
	write("testdata/stack/envs/prod/alerts.cue", "threshold: 0.05")
	base, err := Path(root)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		file, data string
		changes    bool
	}{
		{"envs/prod/alerts.cue", "threshold: 0.04", false},
		{"ops/caddy/Caddyfile", "example.com", false},
		{"gen/load.go", "package gen // edited", true},
		{"testdata/stack/envs/prod/alerts.cue", "threshold: 0.04", true},
		{"schema/env.cue", "#Env: {}", true},
	} {
		write(tc.file, tc.data)
		got, err := Path(root)
		if err != nil {
			t.Fatal(err)
		}
		if changed := got != base; changed != tc.changes {
			t.Errorf("after editing %s: stamp changed %v, want %v", tc.file, changed, tc.changes)
		}
		base = got
	}
}
