// Package liveconfig tells the live configuration (what operators edit and
// what gen writes from it) from everything else, and keeps the tool's tests
// away from it: they run on the fixture under testdata/, so that an
// operator's edit neither breaks them nor invalidates Go's test cache.
package liveconfig

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// liveDirs hold live configuration only: what operators edit (envs/, the
// runbooks gen checks every alert against in docs/) and what gen writes
// (ops/, the CI workflow).
var liveDirs = []string{"envs/", "ops/", "docs/", ".github/workflows/"}

// IsLive tells whether a path relative to the repository root is live
// configuration: under liveDirs, or a generated file at the root (the
// compose files, the only YAML files there).
func IsLive(rel string) bool {
	rel = filepath.ToSlash(rel)
	for _, d := range liveDirs {
		if strings.HasPrefix(rel, d) {
			return true
		}
	}
	ext := filepath.Ext(rel)
	return !strings.Contains(rel, "/") && (ext == ".yml" || ext == ".yaml")
}

// Guard runs the tests of a package (call it from TestMain) and then fails
// the run if they opened or statted a live configuration file. It reads
// the log `go test` asks the test binary to keep of the files it reads (the
// one Go's test cache is keyed on), so it sees every read through the os
// package, whoever makes it.
func Guard(m *testing.M) int {
	code := m.Run()
	logFile := flag.Lookup("test.testlogfile")
	if logFile == nil || logFile.Value.String() == "" {
		return code // go test did not ask for the log (e.g. -count=1)
	}
	read, err := liveReads(logFile.Value.String())
	if err != nil {
		fmt.Fprintln(os.Stderr, "liveconfig:", err)
		return 1
	}
	if len(read) > 0 {
		fmt.Fprintf(os.Stderr, "FAIL: these tests read the live configuration, which operators change; use the fixture under testdata/ instead:\n  %s\n", strings.Join(read, "\n  "))
		return 1
	}
	return code
}

// liveReads lists the live configuration files the test log shows read.
func liveReads(logPath string) ([]string, error) {
	data, err := os.ReadFile(logPath)
	if err != nil {
		return nil, err
	}
	root, err := repoRoot()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		op, name, ok := strings.Cut(sc.Text(), " ")
		if !ok || (op != "open" && op != "stat") {
			continue
		}
		abs, err := filepath.Abs(name)
		if err != nil {
			continue
		}
		rel, err := filepath.Rel(root, abs)
		if err != nil || strings.HasPrefix(rel, "..") || !IsLive(rel) || seen[rel] {
			continue
		}
		seen[rel] = true
		out = append(out, rel)
	}
	return out, sc.Err()
}

// repoRoot is the nearest directory above the working directory (the
// package under test) that holds the CUE module (cue.mod/module.cue).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "cue.mod", "module.cue")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no cue.mod/module.cue above the test's directory")
		}
		dir = parent
	}
}
