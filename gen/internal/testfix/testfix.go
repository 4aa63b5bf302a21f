// Package testfix gives the tool's tests their fixture: a complete stack
// under testdata/stack (its own envs/, committed outputs and cue.mod) whose
// schema/ and tools/ are links to the real ones. Tests never read the live
// envs/: an operator's edit there must neither break them nor invalidate
// Go's test cache. The fixture's outputs are its golden files (go test
// ./gen -run TestGolden -update).
package testfix

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/output"
)

// Root is the fixture's directory.
var Root = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..", "testdata", "stack")
}()

// Copy copies the fixture into a temporary directory for a test that edits
// it; its links (schema/, tools/) point at the real directories, so the
// Caddy check reuses its build. derive/ is copied, not linked: tests edit
// the stack's logic there, and an edit through a link would edit the
// repository's own.
func Copy(t testing.TB) string {
	t.Helper()
	dst := t.TempDir()
	if err := output.CopyTree(Root, dst); err != nil {
		t.Fatal(err)
	}
	lib := filepath.Join(dst, "derive")
	if err := os.Remove(lib); err != nil {
		t.Fatal(err)
	}
	if err := output.CopyTree(filepath.Join(Root, "derive"), lib); err != nil {
		t.Fatal(err)
	}
	return dst
}

// Edit replaces old with new in file (relative to root), failing the test
// when old is not there exactly once.
func Edit(t testing.TB, root, file, old, new string) {
	t.Helper()
	p := filepath.Join(root, file)
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(data), old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want 1", file, old, n)
	}
	if err := os.WriteFile(p, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}
