package gen

import (
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/lms/lms-ops/gen/internal/gitref"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/semdiff"
)

// DiffReport is what changes from a revision to the working tree.
type DiffReport = semdiff.Report

// toolsDir holds the validators gen runs (the Caddy checker's module).
var toolsDir = path.Dir(CaddyCheckDir)

// Diff renders the working tree under root and the revision ref of its git
// repository with this pipeline, and compares them: the meaning first
// (semdiff), then every generated file. The revision is read with `git
// archive` into a temporary directory; the checkout is never touched. Its
// tools/ is the working tree's, so both sides are verified by the same
// validators. A side gen fails on is in the report's Failures; the error
// is for what prevents any comparison (no git, no such revision).
func Diff(root, ref string) (*DiffReport, error) {
	commit, err := gitref.Resolve(root, ref)
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "lms-ops-diff-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	skipTools := func(p string) bool { return p == toolsDir || strings.HasPrefix(p, toolsDir+"/") }
	if err := gitref.Export(root, commit, tmp, skipTools); err != nil {
		return nil, err
	}
	tools, err := filepath.Abs(filepath.Join(root, toolsDir))
	if err != nil {
		return nil, err
	}
	if err := os.Symlink(tools, filepath.Join(tmp, toolsDir)); err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%s (%s)", ref, commit[:7])
	if strings.HasPrefix(commit, ref) {
		label = commit[:7] // a revision named by its hash
	}
	return compareTrees(tmp, root, label, "working tree")
}

// compareTrees renders the models under two roots and compares them; the
// labels name the sides in the report.
func compareTrees(beforeRoot, afterRoot, beforeLabel, afterLabel string) (*DiffReport, error) {
	rep := &DiffReport{Before: beforeLabel, After: afterLabel}
	before, errB := Generate(beforeRoot)
	after, errA := Generate(afterRoot)
	for _, f := range []struct {
		side string
		err  error
	}{{rep.Before, errB}, {rep.After, errA}} {
		if f.err != nil {
			rep.Failures = append(rep.Failures, semdiff.Failure{Side: f.side, Problems: f.err.Error()})
		}
	}
	if len(rep.Failures) > 0 {
		return rep, nil
	}
	b := semdiff.Side{Stack: before.Model.Stack, Files: output.Index(before.Files)}
	a := semdiff.Side{Stack: after.Model.Stack, Files: output.Index(after.Files)}
	var err error
	if rep.Summary, err = semdiff.Compare(b, a); err != nil {
		return nil, err
	}
	rep.Files = semdiff.DiffFiles(b.Files, a.Files)
	return rep, nil
}
