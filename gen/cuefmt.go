package gen

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"cuelang.org/go/cue/format"

	"github.com/lms/lms-ops/gen/internal/model"
)

// UnformattedCUE lists the CUE files of the model under root (cue.mod/,
// schema/, envs/) that are not formatted as `cue fmt` formats them, as
// problems with their repository-relative path. check runs it on the live
// model; it reads only the files, so it is as fast as the walk.
func UnformattedCUE(root string) (Problems, error) {
	var ps Problems
	n := 0
	for _, dir := range []string{"cue.mod", SchemaDir, EnvsDir} {
		base := filepath.Join(root, dir)
		err := filepath.WalkDir(base, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || filepath.Ext(p) != ".cue" {
				return err
			}
			n++
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			src, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			got, err := format.Source(src)
			switch {
			case err != nil:
				ps = append(ps, model.Problem{Pos: filepath.ToSlash(rel), Rule: "cue-fmt", Msg: err.Error()})
			case !bytes.Equal(got, src):
				ps = append(ps, model.Problem{Pos: filepath.ToSlash(rel), Rule: "cue-fmt", Msg: "not formatted as `cue fmt` formats it (run: go tool cue fmt ./...)"})
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if n == 0 {
		return nil, fmt.Errorf("no CUE file under %s", root)
	}
	return ps, nil
}
