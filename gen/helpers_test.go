package gen

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// fixtureRoot is the stack the tool's tests run on (see testfix).
var fixtureRoot = testfix.Root

// copyRepo copies the fixture for a test that edits it.
func copyRepo(t *testing.T) string { return testfix.Copy(t) }

// edit replaces old with new in file (relative to root), exactly once.
func edit(t *testing.T, root, file, old, new string) { testfix.Edit(t, root, file, old, new) }

// outputHashes hashes every generated file under root, by path.
func outputHashes(t *testing.T, root string) map[string]string {
	t.Helper()
	owned, err := output.Owned(root)
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
	res, err := Generate(root)
	if err != nil {
		return err
	}
	return Write(root, res.Files)
}
