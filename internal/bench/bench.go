// Package bench measures gen for `go run mage.go bench` and `cold`: its
// stages, against the official command-line chain, as environments grow,
// in the operator's edit-gen-check loop, the whole suite, and from empty
// caches. Its numbers are the README's; each part prints its own lines.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/lms/lms-ops/e2e"
	"github.com/lms/lms-ops/gen"
	"github.com/lms/lms-ops/internal/checkstamp"
)

// Run runs one part of the bench (stages, loop, scale or suite), or all of
// them, with the official chain, when part is "". The scale and suite
// figures end in a table laid out as the README's.
func Run(w io.Writer, part string) error {
	var t table
	defer func() { t.print(w) }()
	switch part {
	case "stages":
		fmt.Fprintln(w, "gen stages:")
		return gen.Time(w, ".", 9)
	case "loop":
		fmt.Fprintln(w, "the operator's loop, on a copy of this checkout:")
		return loop(w, 5)
	case "scale":
		fmt.Fprintln(w, "gen as environments grow:")
		return scale(w, &t)
	case "suite":
		return suite(w, &t)
	}
	fmt.Fprintln(w, "gen stages:")
	if err := gen.Time(w, ".", 9); err != nil {
		return err
	}
	fmt.Fprintln(w, "gen against the official command-line chain:")
	if err := chain(w, 5); err != nil {
		return err
	}
	fmt.Fprintln(w, "gen as environments grow:")
	if err := scale(w, &t); err != nil {
		return err
	}
	fmt.Fprintln(w, "the operator's loop, on a copy of this checkout:")
	if err := loop(w, 5); err != nil {
		return err
	}
	return suite(w, &t)
}

// table is the summary bench ends with: one row per figure, in Markdown,
// as the README's table of issue 23's figures.
type table [][2]string

func (t *table) add(figure, format string, args ...any) {
	*t = append(*t, [2]string{figure, fmt.Sprintf(format, args...)})
}

func (t table) print(w io.Writer) {
	if len(t) == 0 {
		return
	}
	fmt.Fprintln(w, "\n| figure | now |\n|---|---|")
	for _, r := range t {
		fmt.Fprintf(w, "| %s | %s |\n", r[0], r[1])
	}
}

// ratio is a/b, the factor the bench prints.
func ratio(a, b time.Duration) float64 {
	return float64(a) / float64(b)
}

// timed runs a command in dir and returns its wall time and peak RSS.
func timed(dir string, env []string, name string, args ...string) (time.Duration, int64, []byte, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = ru.Maxrss // KiB on Linux
	}
	if err != nil {
		return wall, rss, out.Bytes(), fmt.Errorf("%s %s in %s: %v\n%s", name, strings.Join(args, " "), dir, err, out.Bytes())
	}
	return wall, rss, out.Bytes(), nil
}

// median is the middle of ds (the upper one of an even count).
func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// chain times the whole-process `go run mage.go gen` against the
// official command-line chain it replaces, run serially as a CI job would:
// promtool check config and rules, promtool test rules, amtool
// check-config and caddy adapt --validate, all built from the pinned
// modules. Each is run n times, interleaved; medians and their ratio.
func chain(w io.Writer, n int) error {
	ctx := context.Background()
	m, err := gen.Load(".")
	if err != nil {
		return err
	}
	bins := map[string]string{}
	for _, t := range []struct{ dir, tool string }{{".", "promtool"}, {"tools/alertmanager", "amtool"}, {"tools/caddy", "caddy"}} {
		if bins[t.tool], err = e2e.ToolPath(ctx, t.dir, t.tool); err != nil {
			return err
		}
	}
	o := m.Stack.Outputs
	var caddyEnv []string
	for k, v := range m.Stack.Settings.Caddy.Examples {
		caddyEnv = append(caddyEnv, k+"="+v)
	}
	chain := []struct {
		env  []string
		args []string
	}{
		{nil, []string{bins["promtool"], "check", "config", "--syntax-only", o.Prometheus.Path}},
		{nil, []string{bins["promtool"], "check", "rules", o.Alerts.Path}},
		{nil, []string{bins["promtool"], "test", "rules", o.RuleTests.Path}},
		{nil, []string{bins["amtool"], "check-config", o.Alertmanager.Path}},
		{caddyEnv, []string{bins["caddy"], "adapt", "--config", o.Caddyfile.Path, "--adapter", "caddyfile", "--validate"}},
	}
	var gens, chains []time.Duration
	for range n {
		wall, _, _, err := timed(".", nil, "go", "run", "mage.go", "gen")
		if err != nil {
			return err
		}
		gens = append(gens, wall)
		start := time.Now()
		for _, c := range chain {
			if _, _, _, err := timed(".", c.env, c.args[0], c.args[1:]...); err != nil {
				return err
			}
		}
		chains = append(chains, time.Since(start))
	}
	g, c := median(gens), median(chains)
	fmt.Fprintf(w, "  go run mage.go gen   %8s  (median of %d, whole process)\n", g.Round(time.Millisecond), n)
	fmt.Fprintf(w, "  official CLI chain   %8s  (promtool check config, check rules, test rules; amtool check-config; caddy adapt --validate)\n", c.Round(time.Millisecond))
	fmt.Fprintf(w, "  ratio gen/chain      %8.2f\n", ratio(g, c))
	return nil
}

// scale runs gen on copies of this checkout with 2, 10 and 100
// environments (the extra ones copies of the last environment) and prints
// its wall time and peak RSS: gen's own, as this Mage binary's gen target,
// and the whole `go run mage.go gen` an operator runs, start-up included.
func scale(w io.Writer, t *table) error {
	self, err := os.Executable()
	if err != nil {
		return err
	}
	var base, baseWhole time.Duration
	wholeAt := map[int]time.Duration{}
	for _, n := range gen.ScaleSizes {
		dir, err := os.MkdirTemp("", "lms-ops-scale-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		if err := copyCheckout(dir); err != nil {
			return err
		}
		if err := gen.ScaleCopy(".", dir, n); err != nil {
			return err
		}
		// Mage compiles its binary once per checkout: not part of gen.
		if _, _, _, err := timed(dir, nil, "go", "run", "mage.go", "-l"); err != nil {
			return err
		}
		const runs = 3
		var walls, wholes []time.Duration
		var rss int64
		for range runs {
			wall, r, _, err := timed(dir, nil, self, "gen")
			if err != nil {
				return err
			}
			walls = append(walls, wall)
			rss = max(rss, r)
			whole, _, _, err := timed(dir, nil, "go", "run", "mage.go", "gen")
			if err != nil {
				return err
			}
			wholes = append(wholes, whole)
		}
		g, wh := median(walls), median(wholes)
		wholeAt[n] = wh
		if base == 0 {
			base, baseWhole = g, wh
		}
		fmt.Fprintf(w, "  %3d environments  gen %8s (%4.1fx)  go run mage.go gen %8s (%4.1fx)  gen's peak RSS %4d MiB  (median of %d)\n",
			n, g.Round(time.Millisecond), ratio(g, base), wh.Round(time.Millisecond), ratio(wh, baseWhole), rss/1024, runs)
		t.add(fmt.Sprintf("`go run mage.go gen`, %d environments", n), "%s (%.1f×), gen's peak RSS %d MiB", wh.Round(time.Millisecond), ratio(wh, baseWhole), rss/1024)
	}
	small, large := gen.PerEnvironment(wholeAt)
	fmt.Fprintf(w, "  per environment (go run mage.go gen)  %s between 2 and 10, %s between 10 and 100: ratio %.2f (TestLinearInEnvironments holds allocations and live heap to 1.5)\n",
		small.Round(time.Millisecond), large.Round(time.Millisecond), ratio(large, small))
	t.add("per environment, 2→10 and 10→100", "%s and %s (ratio %.2f)", small.Round(time.Millisecond), large.Round(time.Millisecond), ratio(large, small))
	return nil
}

// loop times the operator's loop on a copy of the repository: change
// one threshold in envs/prod/alerts.cue, `go run mage.go gen`, then `go run
// mage.go check`, n times after one warm-up check. After each, it runs `go
// test ./...` (untimed) and fails if a package is not served from Go's test
// cache: the tool's tests must not depend on the live configuration.
func loop(w io.Writer, n int) error {
	dir, err := os.MkdirTemp("", "lms-ops-loop-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := copyCheckout(dir); err != nil {
		return err
	}
	// Warm up: check, and go test once in this copy (Go's test cache is
	// keyed by the package's directory too).
	if _, _, _, err := timed(dir, nil, "go", "run", "mage.go", "check"); err != nil {
		return fmt.Errorf("warm-up check: %w", err)
	}
	if _, _, _, err := timed(dir, nil, "go", "test", "./..."); err != nil {
		return fmt.Errorf("warm-up go test: %w", err)
	}
	// The edit: production's p95 threshold, up and down by 10 ms in turn,
	// on the syntax tree as gen's own editor does it.
	m, err := gen.Load(dir)
	if err != nil {
		return err
	}
	p95 := m.Stack.Envs["prod"].Alerts["LMSHighP95Latency"].Threshold
	var checks, loops []time.Duration
	for i := range n {
		v := p95 + 0.01*float64(1-2*(i%2))
		lit := &ast.BasicLit{Kind: token.FLOAT, Value: strconv.FormatFloat(v, 'f', -1, 64)}
		if err := gen.ApplyOverrides(dir, []gen.Override{{Dir: "envs/prod", Path: "alerts.LMSHighP95Latency.threshold", Value: lit}}); err != nil {
			return err
		}
		g, _, _, err := timed(dir, nil, "go", "run", "mage.go", "gen")
		if err != nil {
			return err
		}
		c, _, _, err := timed(dir, nil, "go", "run", "mage.go", "check")
		if err != nil {
			return err
		}
		// The evidence that no tool test reads envs/: Go's own test cache
		// still holds every package's result after the edit.
		_, _, out, err := timed(dir, nil, "go", "test", "./...")
		if err != nil {
			return err
		}
		if ran := testsRun(out); len(ran) > 0 {
			return fmt.Errorf("after an edit of envs/ only, these test packages ran again instead of coming from the test cache: %s", strings.Join(ran, ", "))
		}
		checks = append(checks, c)
		loops = append(loops, g+c)
	}
	fmt.Fprintf(w, "  check after a one-value edit and gen  %8s  (median of %d; every tool test from the test cache)\n", median(checks).Round(time.Millisecond), n)
	fmt.Fprintf(w, "  edit -> gen -> check                  %8s\n", median(loops).Round(time.Millisecond))
	return nil
}

// testsRun lists the packages `go test` ran rather than took from its cache.
func testsRun(out []byte) []string {
	var ran []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == "ok" && !strings.Contains(line, "(cached)") {
			ran = append(ran, f[1])
		}
	}
	return ran
}

// copyCheckout copies the files of the checkout (checkstamp.Files) into dir,
// keeping symbolic links as links.
func copyCheckout(dir string) error {
	files, err := checkstamp.Files(".")
	if err != nil {
		return err
	}
	for _, p := range files {
		info, err := os.Lstat(p)
		if err != nil {
			continue // deleted in the working tree
		}
		dst := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if info.Mode()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			if err := os.Symlink(target, dst); err != nil {
				return err
			}
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, info.Mode().Perm()); err != nil {
			return err
		}
	}
	return nil
}

// Cold times gen and check (CI=true) as a new user meets them: in a clone
// of HEAD with empty Go, Mage and tool caches. Everything lives in a temporary directory; every check runs, and module
// downloads are included.
func Cold(w io.Writer) error {
	tmp, err := os.MkdirTemp("", "lms-ops-cold-")
	if err != nil {
		return err
	}
	defer func() {
		exec.Command("chmod", "-R", "u+w", tmp).Run()
		os.RemoveAll(tmp)
	}()
	clone := filepath.Join(tmp, "clone")
	if out, err := exec.Command("git", "clone", "--quiet", ".", clone).CombinedOutput(); err != nil {
		return fmt.Errorf("git clone: %v\n%s", err, out)
	}
	env := []string{
		"GOCACHE=" + filepath.Join(tmp, "gocache"),
		"GOMODCACHE=" + filepath.Join(tmp, "gomodcache"),
		"MAGEFILE_CACHE=" + filepath.Join(tmp, "magefile"),
		"XDG_CACHE_HOME=" + filepath.Join(tmp, "cache"),
		"CI=true",
	}
	var total time.Duration
	for _, target := range []string{"gen", "check"} {
		wall, _, out, err := timed(clone, env, "go", "run", "mage.go", target)
		if err != nil {
			return err
		}
		total += wall
		fmt.Fprintf(w, "cold: go run mage.go %-5s %8s\n", target, wall.Round(time.Second))
		if target == "check" {
			fmt.Fprint(w, tail(string(out), 3))
		}
	}
	fmt.Fprintf(w, "cold: gen + check        %8s\n", total.Round(time.Second))
	return nil
}

// tail is the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n") + "\n"
}

// suite times the whole check CI runs with Go's test cache cleared,
// so that every tool test runs (CI=true: the stamp skips nothing).
func suite(w io.Writer, t *table) error {
	if _, _, out, err := timed(".", nil, "go", "clean", "-testcache"); err != nil {
		return fmt.Errorf("go clean -testcache: %v\n%s", err, out)
	}
	wall, rss, _, err := timed(".", []string{"CI=true"}, "go", "run", "mage.go", "check")
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "the suite: CI=true go run mage.go check, test cache cleared  %s (the check process's peak RSS %d MiB)\n", wall.Round(time.Second), rss/1024)
	t.add("full check with every test (`CI=true`, test cache cleared, tools built)", "%s", wall.Round(time.Second))
	return nil
}
