// Package gitref reads one revision of the repository into a directory of
// its own, without touching the checkout: no worktree is added, no file of
// the working tree or of .git is written. diff renders that copy.
package gitref

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
)

// Resolve returns the commit ref names in the repository at root.
func Resolve(root, ref string) (string, error) {
	if ref == "" || strings.HasPrefix(ref, "-") {
		return "", fmt.Errorf("revision %q: not a revision", ref)
	}
	out, err := exec.Command("git", "-C", root, "rev-parse", "--verify", "--quiet", "--end-of-options", ref+"^{commit}").Output()
	if err != nil {
		return "", fmt.Errorf("revision %q: no such commit in the repository at %s", ref, root)
	}
	return strings.TrimSpace(string(out)), nil
}

// Export writes the tree of commit into dst (an empty directory), but the
// paths skip refuses. It reads `git archive`'s tar stream, so the index
// and the working tree are never involved.
func Export(root, commit, dst string, skip func(path string) bool) error {
	cmd := exec.Command("git", "-C", root, "archive", "--format=tar", commit)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stream, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	xerr := extract(tar.NewReader(stream), dst, skip)
	io.Copy(io.Discard, stream) // let git finish when extract stopped early
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("git archive %s: %v: %s", commit, err, stderr.String())
	}
	return xerr
}

// extract writes the entries of a tar stream under dst: directories,
// regular files and symbolic links, the only kinds git stores.
func extract(tr *tar.Reader, dst string, skip func(string) bool) error {
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		name := path.Clean(h.Name)
		if name == "." || skip(name) {
			continue
		}
		if !filepath.IsLocal(name) {
			return fmt.Errorf("git archive: entry %q leaves the directory", h.Name)
		}
		p := filepath.Join(dst, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		switch h.Typeflag {
		case tar.TypeDir:
			err = os.MkdirAll(p, 0o755)
		case tar.TypeSymlink:
			err = os.Symlink(h.Linkname, p)
		case tar.TypeReg:
			err = writeFile(p, tr, os.FileMode(h.Mode)&0o755|0o644)
		}
		if err != nil {
			return err
		}
	}
}

func writeFile(p string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	_, werr := io.Copy(f, r)
	return errors.Join(werr, f.Close())
}
