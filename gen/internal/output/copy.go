package output

import (
	"io/fs"
	"os"
	"path/filepath"
)

// CopyTree copies the tree under src (itself possibly a link) to dst. A
// link inside it is copied as a link to the absolute path it resolves to,
// so that the copy's schema/ and tools/ links keep working elsewhere.
func CopyTree(src, dst string) error {
	src, err := filepath.EvalSymlinks(src)
	if err != nil {
		return err
	}
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				return err
			}
			abs, err := filepath.Abs(real)
			if err != nil {
				return err
			}
			return os.Symlink(abs, target)
		case d.IsDir():
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}
