// Package checkstamp names the file that records that check's tool checks
// (go vet, gofmt, go test) passed on exactly the current code, so that
// check skips them after an edit of the live configuration only.
package checkstamp

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/lms/lms-ops/internal/liveconfig"
)

// Path is the file that records that the tool's checks passed on exactly
// the code of the checkout at root: its name hashes every file git knows
// of outside the live configuration (the tests' TestMain guard proves they
// read none of it), with the Go version, platform and GOFLAGS.
func Path(root string) (string, error) {
	files, err := Files(root)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintln(h, runtime.Version(), runtime.GOOS, runtime.GOARCH, os.Getenv("GOFLAGS"))
	for _, p := range files {
		if liveconfig.IsLive(p) {
			continue
		}
		fmt.Fprintf(h, "%s\x00", p)
		abs := filepath.Join(root, p)
		if target, err := os.Readlink(abs); err == nil {
			fmt.Fprintf(h, "-> %s\x00", target)
			continue
		}
		data, err := os.ReadFile(abs)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
		h.Write(data)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir = filepath.Join(dir, "lms-ops", "check")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return filepath.Join(dir, hex.EncodeToString(h.Sum(nil))[:24]), nil
}

// Files lists the files of the checkout at root: those git knows of (tracked,
// or untracked and not ignored), or, outside a git checkout (an exported
// tree), every file but .git's, sorted.
func Files(root string) ([]string, error) {
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	if out, err := cmd.Output(); err == nil {
		return strings.Split(strings.TrimRight(string(out), "\x00"), "\x00"), nil
	}
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == ".git":
			return filepath.SkipDir
		case !d.IsDir():
			rel, err := filepath.Rel(root, p)
			if err != nil {
				return err
			}
			files = append(files, filepath.ToSlash(rel))
		}
		return nil
	})
	return files, err
}
