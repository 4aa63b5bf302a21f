package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// fixtureRoot is the stack the tool's tests run on: a complete repository
// (its own envs/, committed outputs and cue.mod) whose schema/ and tools/
// are links to the real ones. Tests never read the live envs/: an
// operator's edit there must neither break them nor invalidate Go's test
// cache. The fixture's outputs are its golden files (go test ./gen -update).
const fixtureRoot = "../testdata/stack"

// copyRepo copies the fixture into a temporary directory for a test that
// edits it; its links (schema/, tools/) point at the real directories, so
// the Caddy check reuses its build.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	if err := copyTree(fixtureRoot, dst); err != nil {
		t.Fatal(err)
	}
	return dst
}

// edit replaces old with new in file (relative to root), failing the test
// when old is not there exactly once.
func edit(t *testing.T, root, file, old, new string) {
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

// outputHashes hashes every generated file under root, by path.
func outputHashes(t *testing.T, root string) map[string]string {
	t.Helper()
	owned, err := Owned(root)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(owned)
	out := map[string]string{}
	for _, p := range owned {
		data, err := os.ReadFile(filepath.Join(root, p))
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		out[p] = hex.EncodeToString(sum[:])
	}
	return out
}

// genInto runs what `mage gen` does: generate, then write when it succeeds.
func genInto(root string) error {
	_, files, err := Generate(root)
	if err != nil {
		return err
	}
	return Write(root, files)
}
