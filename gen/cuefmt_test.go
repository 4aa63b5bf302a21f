package gen

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"cuelang.org/go/cue/format"
)

// TestCUEFormatted: every CUE file is formatted as `cue fmt` formats it.
func TestCUEFormatted(t *testing.T) {
	n := 0
	for _, dir := range []string{"cue.mod", SchemaDir, EnvsDir} {
		err := filepath.WalkDir(filepath.Join(repoRoot, dir), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(p) != ".cue" {
				return err
			}
			n++
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got, err := format.Source(src)
			if err != nil {
				t.Errorf("%s: %v", p, err)
				return nil
			}
			if !bytes.Equal(got, src) {
				t.Errorf("%s is not cue fmt-formatted (run: go tool cue fmt ./...)", p)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if n == 0 {
		t.Fatal("no CUE file found")
	}
}
