// Package checkrun is what `go run mage.go check` does: the configuration
// checks (generated files, cue fmt), then the tool's own (go vet, gofmt, go
// test), which it skips when the check stamp says they passed on exactly
// this code, unless CI is set.
package checkrun

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/lms/lms-ops/gen"
	"github.com/lms/lms-ops/internal/checkstamp"
)

// Always reports whether the tool's checks run whatever the stamp says:
// on CI (CI set to anything), where no earlier pass on this machine counts.
func Always(getenv func(string) string) bool {
	return getenv("CI") != ""
}

// Run runs the configuration checks (drift, cue fmt), then the tool's own
// checks (go vet, gofmt, go test, in the root module and the tool modules
// gen builds). The tool's checks read the code, the schema and the
// fixtures, never the live envs/; they are skipped when nothing they read
// has changed since they last passed on this machine, unless always is set.
// Progress goes to out, failures to errOut.
func Run(always bool, out, errOut io.Writer) error {
	start := time.Now()
	s := &steps{out: out, errOut: errOut}
	s.step("generated files", drift())
	s.step("cue fmt", cueFmt())
	stamp, err := checkstamp.Path(".")
	if err != nil {
		return err
	}
	if _, err := os.Stat(stamp); err == nil && !always {
		fmt.Fprintf(out, "check: go vet, gofmt, go test: skipped, no file they read changed since they passed here (%s)\n", filepath.Base(stamp))
	} else if err := toolChecks(s, stamp); err != nil {
		return err
	}
	fmt.Fprintf(out, "check: done in %s\n", time.Since(start).Round(time.Millisecond))
	return s.err()
}

// toolChecks runs go vet, gofmt and go test, and writes the stamp when
// they all pass.
func toolChecks(s *steps, stamp string) error {
	before := len(s.failed)
	s.step("go vet", command("", "go", "vet", "./..."))
	s.step("go vet "+gen.CaddyCheckDir, command(gen.CaddyCheckDir, "go", "vet", "./..."))
	s.step("go vet "+gen.OperatorOracleDir, command(gen.OperatorOracleDir, "go", "vet", "./..."))
	s.step("go vet "+gen.SlothOracleDir, command(gen.SlothOracleDir, "go", "vet", "./..."))
	s.step("gofmt", gofmt())
	// The gen package's two 200-draw fuzz tests evaluate the whole CUE
	// stack once per draw: on a shared 2-core machine they outlast go
	// test's default 10 minutes per package (issue 20's report).
	s.step("go test", command("", "go", "test", "-timeout=30m", "./..."))
	s.step("go test "+gen.CaddyCheckDir, command(gen.CaddyCheckDir, "go", "test", "./..."))
	s.step("go test "+gen.OperatorOracleDir, command(gen.OperatorOracleDir, "go", "test", "./..."))
	if len(s.failed) > before {
		return nil
	}
	return os.WriteFile(stamp, nil, 0o644)
}

// steps reports each check as it ends and remembers the failed ones: every
// check runs, so that one run lists every failure.
type steps struct {
	out, errOut io.Writer
	failed      []string
}

func (s *steps) step(name string, err error) {
	if err != nil {
		fmt.Fprintf(s.errOut, "check: %s: FAILED\n%v\n", name, err)
		s.failed = append(s.failed, name)
		return
	}
	fmt.Fprintf(s.out, "check: %s: ok\n", name)
}

// err names the failed checks, or is nil.
func (s *steps) err() error {
	if len(s.failed) > 0 {
		return fmt.Errorf("check failed: %s", strings.Join(s.failed, ", "))
	}
	return nil
}

// drift renders in memory and compares with the files on disk.
func drift() error {
	res, err := gen.Generate(".")
	if err != nil {
		return err
	}
	drifts, err := gen.Compare(".", res.Files)
	if err != nil {
		return err
	}
	if len(drifts) == 0 {
		return nil
	}
	var b strings.Builder
	for _, d := range drifts {
		fmt.Fprintf(&b, "%s: %s\n%s", d.Path, d.Kind, d.Diff)
	}
	b.WriteString("run `go run mage.go gen` and commit the result")
	return errors.New(b.String())
}

// cueFmt fails when a CUE file of the live model is not cue fmt-formatted.
func cueFmt() error {
	ps, err := gen.UnformattedCUE(".")
	if err != nil {
		return err
	}
	return ps.Err()
}

// gofmt fails when a Go file is not gofmt-formatted.
func gofmt() error {
	out, err := exec.Command("gofmt", "-l", ".").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, out)
	}
	if len(out) > 0 {
		return fmt.Errorf("not gofmt-formatted:\n%s", out)
	}
	return nil
}

// command runs a command in dir ("" for here) with its output on the
// terminal.
func command(dir, name string, args ...string) error {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	return cmd.Run()
}
