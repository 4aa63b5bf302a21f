package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// repoRoot is the repository root, seen from this package's directory.
const repoRoot = ".."

// copiedPaths are what a copy of the repository needs to run gen.
var copiedPaths = []string{"cue.mod", "schema", "envs", "ops", "docker-compose.observability.yml", "docker-compose.prod.yml"}

// copyRepo copies the CUE model and the committed outputs into a temporary
// directory; tools/ is a symlink so the Caddy check reuses its build.
func copyRepo(t *testing.T) string {
	t.Helper()
	dst := t.TempDir()
	for _, p := range copiedPaths {
		src := filepath.Join(repoRoot, p)
		err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(repoRoot, path)
			if err != nil {
				return err
			}
			target := filepath.Join(dst, rel)
			if d.IsDir() {
				return os.MkdirAll(target, 0o755)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(target, data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	tools, err := filepath.Abs(filepath.Join(repoRoot, "tools"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(tools, filepath.Join(dst, "tools")); err != nil {
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
