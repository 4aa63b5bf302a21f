// Package liveguard keeps the tool's tests away from the live
// configuration (liveconfig.IsLive): a package's TestMain runs its tests
// through Guard, which fails the run when they read a live file. It is
// apart from liveconfig so that only test binaries link the testing
// package.
package liveguard

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lms/lms-ops/internal/liveconfig"
)

// Guard runs the tests of a package (call it from TestMain) and then fails
// the run if they opened or statted a live configuration file. It reads
// the log `go test` asks the test binary to keep of the files it reads (the
// one Go's test cache is keyed on), so it sees every read through the os
// package, whoever makes it. When go test asks for no log (-count=1, or the
// test binary run by hand), Guard asks for one itself: a guard that only
// checks when the cache is on would pass exactly where CI runs.
func Guard(m *testing.M) int {
	flag.Parse()
	logFile := flag.Lookup("test.testlogfile")
	if logFile == nil {
		fmt.Fprintln(os.Stderr, "liveconfig: the testing package has no -test.testlogfile flag: the files the tests read cannot be seen")
		return 1
	}
	if logFile.Value.String() == "" {
		f, err := os.CreateTemp("", "liveconfig-testlog-")
		if err == nil {
			err = f.Close()
		}
		if err == nil {
			defer os.Remove(f.Name())
			err = flag.Set("test.testlogfile", f.Name())
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "liveconfig: keep a test log:", err)
			return 1
		}
	}
	code := m.Run()
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
		if err != nil || strings.HasPrefix(rel, "..") || !liveconfig.IsLive(rel) || seen[rel] {
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
