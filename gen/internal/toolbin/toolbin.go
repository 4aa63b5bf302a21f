package toolbin

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// Binary returns the path of a binary of the Go package pkg, built in
// the Go module at dir (pkg "." is the module's own main package, "./sub"
// one of its sub-packages; any other pkg is a package of a dependency the
// module pins, such as "github.com/prometheus/prometheus/cmd/promtool").
//
// The binary is built once with `go build` and kept in the user cache
// directory (os.UserCacheDir()/lms-ops/bin), under a name keyed by a hash of
// what it is built from: the module's go.mod and go.sum, the package's own
// .go sources when it is the module's, the Go version, GOOS/GOARCH and the build
// environment. Later calls, in this process or any other, only hash those
// files and find it: unlike `go run` or `go tool`, which load the whole
// package graph to check the cached binary is up to date (about a second
// for Caddy or promtool), this costs milliseconds.
//
// Concurrent calls are safe: within a process one call builds and the
// others wait for it; across processes each builds into a directory of its
// own and renames the binary into place atomically, so a binary under the
// final name is always complete.
func Binary(dir, pkg string) (string, error) {
	return BinaryWith(dir, pkg, Options{})
}

// Options are how a tool is built beyond its module: for a binary that
// must match an upstream release build (a static binary for a container
// image, a version stamped with -X as the project's own release does).
type Options struct {
	// Static builds with CGO_ENABLED=0, as the upstream images' binaries
	// are built: they run on an image with no C library.
	Static bool
	// LDFlags are passed to go build -ldflags.
	LDFlags string
	// Tags are passed to go build -tags.
	Tags string
	// Overlay adds files to the build (go build -overlay): each absolute
	// path in the module maps to the file whose content it gets, such as
	// an upstream file in the module cache built in an entry point of our
	// own. Their contents are part of the key.
	Overlay map[string]string
}

// BinaryWith is Binary with build options; the options are part of the
// cache key.
func BinaryWith(dir, pkg string, o Options) (string, error) {
	real, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return "", err
	}
	key, err := toolKey(real, pkg, o)
	if err != nil {
		return "", err
	}
	cache, err := toolCacheDir()
	if err != nil {
		return "", err
	}
	name := toolName(real, pkg)
	bin := filepath.Join(cache, name+"-"+key[:20]+exeSuffix())

	v, _ := toolBuilds.LoadOrStore(bin, &toolBuild{})
	b := v.(*toolBuild)
	b.once.Do(func() { b.err = buildTool(real, pkg, name, bin, o) })
	if b.err != nil {
		return "", b.err
	}
	return bin, nil
}

// toolBuild is one binary's build in this process.
type toolBuild struct {
	once sync.Once
	err  error
}

// toolBuilds maps a binary path to its *toolBuild.
var toolBuilds sync.Map

// toolCacheDir is where tool binaries are kept.
func toolCacheDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "lms-ops", "bin")
	return dir, os.MkdirAll(dir, 0o755)
}

// toolName names the binary after its package (or its module directory for
// the module's own package).
func toolName(dir, pkg string) string {
	if pkg == "." {
		return filepath.Base(dir)
	}
	return path.Base(pkg)
}

func exeSuffix() string {
	if runtime.GOOS == "windows" {
		return ".exe"
	}
	return ""
}

// toolKey hashes everything the binary is built from.
func toolKey(dir, pkg string, o Options) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "lms-ops tool 1\x00%s\x00%s\x00%s/%s\x00", pkg, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	if o.Static || o.LDFlags != "" {
		fmt.Fprintf(h, "static=%t\x00ldflags=%s\x00", o.Static, o.LDFlags)
	}
	if o.Tags != "" {
		fmt.Fprintf(h, "tags=%s\x00", o.Tags)
	}
	for _, dst := range slices.Sorted(maps.Keys(o.Overlay)) {
		data, err := os.ReadFile(o.Overlay[dst])
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "overlay=%s\x00%d\x00", filepath.ToSlash(dst), len(data))
		h.Write(data)
	}
	for _, v := range []string{"GOFLAGS", "CGO_ENABLED", "GOEXPERIMENT", "GOAMD64", "GOARM64", "GOTOOLCHAIN"} {
		fmt.Fprintf(h, "%s=%s\x00", v, os.Getenv(v))
	}
	files := []string{"go.mod", "go.sum"}
	if pkg == "." || strings.HasPrefix(pkg, "./") {
		// The module's own package: its sources are part of the key.
		srcs, err := goSources(filepath.Join(dir, filepath.FromSlash(pkg)))
		if err != nil {
			return "", err
		}
		for _, src := range srcs {
			files = append(files, path.Join(pkg, filepath.ToSlash(src)))
		}
	}
	for _, f := range files {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil && !(f == "go.sum" && errors.Is(err, fs.ErrNotExist)) {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(f), len(data))
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// goSources lists the non-test .go files of the module at dir, relative to
// it, sorted; nested modules, testdata and hidden directories are skipped,
// as the go command skips them.
func goSources(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if d.IsDir() {
			if rel == "." {
				return nil
			}
			n := d.Name()
			if n == "testdata" || strings.HasPrefix(n, ".") || strings.HasPrefix(n, "_") {
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(p, "go.mod")); err == nil {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") {
			files = append(files, rel)
		}
		return nil
	})
	sort.Strings(files)
	return files, err
}

// buildTool builds pkg into bin unless bin is already there.
func buildTool(dir, pkg, name, bin string, o Options) error {
	if fi, err := os.Stat(bin); err == nil && fi.Mode().IsRegular() {
		touch(bin, fi)
		return nil
	}
	tmp, err := os.MkdirTemp(filepath.Dir(bin), ".build-"+name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, filepath.Base(bin))
	args := []string{"build", "-buildvcs=false", "-o", out}
	if o.LDFlags != "" {
		args = append(args, "-ldflags", o.LDFlags)
	}
	if o.Tags != "" {
		args = append(args, "-tags", o.Tags)
	}
	if len(o.Overlay) > 0 {
		overlay := filepath.Join(tmp, "overlay.json")
		data, err := json.Marshal(map[string]any{"Replace": o.Overlay})
		if err != nil {
			return err
		}
		if err := os.WriteFile(overlay, data, 0o644); err != nil {
			return err
		}
		args = append(args, "-overlay", overlay)
	}
	cmd := exec.Command("go", append(args, pkg)...)
	cmd.Dir = dir
	if o.Static {
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	}
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build %s in %s: %v\n%s", pkg, dir, err, strings.TrimSpace(string(msg)))
	}
	if err := os.Rename(out, bin); err != nil {
		// Another process renamed its build into place first (Windows
		// refuses to replace a file in use); that binary is as good.
		if _, serr := os.Stat(bin); serr != nil {
			return err
		}
	}
	pruneTools(bin, name)
	return nil
}

// touch records that bin was used, at most once a day, so that pruneTools
// keeps it.
func touch(bin string, fi os.FileInfo) {
	if now := time.Now(); now.Sub(fi.ModTime()) > 24*time.Hour {
		os.Chtimes(bin, now, now)
	}
}

// pruneTools removes the binaries of the same tool built from other inputs
// (older dependency versions, older sources) that nothing used for a week,
// and build directories left behind by interrupted builds.
func pruneTools(bin, name string) {
	dir := filepath.Dir(bin)
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		n := e.Name()
		p := filepath.Join(dir, n)
		if p == bin || !(strings.HasPrefix(n, name+"-") || strings.HasPrefix(n, ".build-"+name+"-")) {
			continue
		}
		if fi, err := e.Info(); err == nil && time.Since(fi.ModTime()) > 7*24*time.Hour {
			os.RemoveAll(p)
		}
	}
}
