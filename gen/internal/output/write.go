package output

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"

	"github.com/rogpeppe/go-internal/diff"
)

// File is one generated output: its path relative to the repository root
// and its exact bytes.
type File struct {
	Path string
	Data []byte
}

// Files indexes rendered files by path.
type Files map[string][]byte

// Index indexes files by path.
func Index(files []File) Files {
	idx := Files{}
	for _, f := range files {
		idx[f.Path] = f.Data
	}
	return idx
}

// OpsDir is the directory gen owns entirely: every file under it is generated.
const OpsDir = "ops"

// generatedLine matches the marker line of a generated file at the root
// (Go's convention, https://go.dev/s/generatedcode, in a YAML comment).
var generatedLine = regexp.MustCompile(`^# Code generated .* DO NOT EDIT\.$`)

// markedDirs are the directories outside ops/ where gen writes files with
// other files beside them: there it owns those whose first line is its marker.
var markedDirs = []string{".", ".github/workflows"}

// Owned lists the generated files present under root: everything under ops/,
// and the files of markedDirs whose first line is a generated marker.
func Owned(root string) ([]string, error) {
	var owned []string
	err := filepath.WalkDir(filepath.Join(root, OpsDir), func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		owned = append(owned, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, dir := range markedDirs {
		marked, err := markedFiles(root, dir)
		if err != nil {
			return nil, err
		}
		owned = append(owned, marked...)
	}
	sort.Strings(owned)
	return owned, nil
}

// markedFiles lists the files of dir (relative to root, maybe absent) whose
// first line is a generated marker.
func markedFiles(root, dir string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(dir)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		rel := path.Join(dir, e.Name())
		marked, err := hasGeneratedMarker(filepath.Join(root, filepath.FromSlash(rel)))
		if err != nil {
			return nil, err
		}
		if marked {
			out = append(out, rel)
		}
	}
	return out, nil
}

func hasGeneratedMarker(path string) (bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return false, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	return sc.Scan() && generatedLine.Match(sc.Bytes()), nil
}

// Write makes the generated files under root exactly files: it writes what
// changed and removes owned files no longer produced. Every new content is
// first written to a temporary file beside its target; only when all of them
// are written are they renamed into place, so a failure (disk full, a
// permission) leaves every output as it was.
func Write(root string, files []File) error {
	_, err := WriteChanges(root, files)
	return err
}

// Changes are the files a Write changed under root, by path, sorted.
type Changes struct {
	// Written are the files whose content changed or that are new.
	Written []string
	// Removed are the owned files no longer produced.
	Removed []string
}

// Summary says what a Write of total files changed: "29 files up to date"
// when nothing did, else how many it wrote and removed.
func (c Changes) Summary(total int) string {
	if len(c.Written) == 0 && len(c.Removed) == 0 {
		return fmt.Sprintf("%d files up to date", total)
	}
	s := fmt.Sprintf("%d of %d files written", len(c.Written), total)
	if len(c.Removed) > 0 {
		s += fmt.Sprintf(", %d removed", len(c.Removed))
	}
	return s
}

// WriteChanges is Write, and says which files it wrote and removed.
func WriteChanges(root string, files []File) (Changes, error) {
	var ch Changes
	owned, err := Owned(root)
	if err != nil {
		return Changes{}, err
	}
	type pending struct{ tmp, dst string }
	var renames []pending
	cleanup := func() {
		for _, r := range renames {
			os.Remove(r.tmp)
		}
	}
	for _, f := range files {
		dst := filepath.Join(root, filepath.FromSlash(f.Path))
		if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, f.Data) {
			continue
		}
		tmp, err := writeTemp(dst, f.Data)
		if err != nil {
			cleanup()
			return Changes{}, fmt.Errorf("write %s: %w", f.Path, err)
		}
		renames = append(renames, pending{tmp, dst})
		ch.Written = append(ch.Written, f.Path)
	}
	for _, r := range renames {
		if err := os.Rename(r.tmp, r.dst); err != nil {
			cleanup()
			return Changes{}, err
		}
	}
	ch.Removed, err = removeStale(root, owned, files)
	sort.Strings(ch.Written)
	return ch, err
}

// writeTemp writes data to a new temporary file in dst's directory.
func writeTemp(dst string, data []byte) (string, error) {
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", err
	}
	f, err := os.CreateTemp(filepath.Dir(dst), ".gen-*")
	if err != nil {
		return "", err
	}
	_, werr := f.Write(data)
	cerr := f.Close()
	if err := errors.Join(werr, cerr, os.Chmod(f.Name(), 0o644)); err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

// removeStale deletes owned files that are not in files, then the
// directories under ops/ that this leaves empty, and returns the files it
// deleted.
func removeStale(root string, owned []string, files []File) ([]string, error) {
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
	}
	var removed []string
	for _, p := range owned {
		if want[p] {
			continue
		}
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(p))); err != nil {
			return removed, err
		}
		removed = append(removed, p)
		for dir := filepath.Dir(p); dir != OpsDir && dir != "."; dir = filepath.Dir(dir) {
			if os.Remove(filepath.Join(root, dir)) != nil {
				break // not empty
			}
		}
	}
	return removed, nil
}

// Drift is one difference between what gen renders and what is on disk.
type Drift struct {
	Path string
	// Kind is "changed", "missing" (rendered, not on disk) or "extra" (owned
	// on disk, no longer rendered).
	Kind string
	// Diff is a unified diff from disk to rendered, for "changed".
	Diff []byte
}

// Compare reports every difference between files and the generated files
// on disk under root, sorted by path.
func Compare(root string, files []File) ([]Drift, error) {
	owned, err := Owned(root)
	if err != nil {
		return nil, err
	}
	var drifts []Drift
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			drifts = append(drifts, Drift{Path: f.Path, Kind: "missing"})
		case err != nil:
			return nil, err
		case !bytes.Equal(old, f.Data):
			d := diff.Diff("committed/"+f.Path, old, "generated/"+f.Path, f.Data)
			drifts = append(drifts, Drift{Path: f.Path, Kind: "changed", Diff: d})
		}
	}
	for _, p := range owned {
		if !want[p] {
			drifts = append(drifts, Drift{Path: p, Kind: "extra"})
		}
	}
	sort.Slice(drifts, func(i, j int) bool { return drifts[i].Path < drifts[j].Path })
	return drifts, nil
}
