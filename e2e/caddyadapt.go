package e2e

import (
	"bytes"
	"context"
	"debug/buildinfo"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"strings"

	"github.com/lms/lms-ops/gen"
)

// caddyModule is the Go module of Caddy.
const caddyModule = "github.com/caddyserver/caddy/v2"

// caddyAdapters proves that the Caddy check of gen (tools/caddycheck, which
// links only the modules our Caddyfile uses) and the stock Caddy the run
// starts (every standard module, as the caddy:2 image ships) are built from
// the same versions of Caddy and of every module they share, and adapt the
// generated Caddyfile to the same JSON config: the committed one with the
// example placeholder values gen checks it with, and the laptop one with the
// run's values.
func (r *run) caddyAdapters(ctx context.Context) error {
	slim, err := gen.ToolBinary(filepath.Join(r.cfg.Root, gen.CaddyCheckDir), ".")
	if err != nil {
		return err
	}
	if err := r.sameModules(slim, r.bins["caddy"]); err != nil {
		return err
	}

	committed, err := loadCommitted(r.cfg.Root)
	if err != nil {
		return err
	}
	out := committed.Stack.Outputs.Caddyfile.Path
	data, err := os.ReadFile(filepath.Join(r.cfg.Root, out))
	if err != nil {
		return err
	}
	env, err := gen.CaddyEnv(committed, data)
	if err != nil {
		return err
	}
	file := r.path("config", "Caddyfile.committed")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		return err
	}
	if err := r.sameAdaptation(ctx, "the committed "+out, file, env); err != nil {
		return err
	}
	caddyfile, err := r.hostPath("caddy", r.model.Stack.Settings.Caddy.ConfigPath)
	if err != nil {
		return err
	}
	return r.sameAdaptation(ctx, "the laptop Caddyfile", caddyfile, r.caddyEnv())
}

// sameModules records a failure for every Go module both binaries are
// built with at different versions (Caddy itself among them).
func (r *run) sameModules(slim, stock string) error {
	a, err := buildinfo.ReadFile(slim)
	if err != nil {
		return err
	}
	b, err := buildinfo.ReadFile(stock)
	if err != nil {
		return err
	}
	version := func(d *debug.Module) string {
		if d.Replace != nil {
			return d.Replace.Path + " " + d.Replace.Version
		}
		return d.Version
	}
	stockVersions := map[string]string{b.Main.Path: b.Main.Version}
	for _, d := range b.Deps {
		stockVersions[d.Path] = version(d)
	}
	shared := 0
	for _, d := range a.Deps {
		v, ok := stockVersions[d.Path]
		if !ok {
			continue
		}
		shared++
		if v != version(d) {
			r.fail("%s is built with %s %s, the stock Caddy with %s", gen.CaddyCheckDir, d.Path, version(d), v)
		}
	}
	if _, ok := stockVersions[caddyModule]; !ok || shared == 0 {
		return fmt.Errorf("%s is not a Caddy build", stock)
	}
	r.logf("caddy: %s and the stock Caddy share %d modules at the same versions", gen.CaddyCheckDir, shared)
	return nil
}

// sameAdaptation adapts file with `caddy adapt` of the stock Caddy and with
// tools/caddycheck, with the same environment, and records a failure unless
// both give the same JSON config (compared normalized: same values, key
// order and spacing aside).
func (r *run) sameAdaptation(ctx context.Context, what, file string, env []string) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	adapt := exec.CommandContext(ctx, r.bins["caddy"], "adapt", "--config", file, "--adapter", "caddyfile")
	adapt.Env = append(os.Environ(), env...)
	var stderr bytes.Buffer
	adapt.Stderr = &stderr
	stock, err := adapt.Output()
	if err != nil {
		return fmt.Errorf("caddy adapt %s: %v\n%s", what, err, stderr.String())
	}
	res, err := gen.RunCaddyCheck(r.cfg.Root, data, env)
	if err != nil {
		return err
	}
	if len(res.Errors) > 0 {
		r.fail("%s: the stock Caddy adapts it, %s rejects it: %s", what, gen.CaddyCheckDir, strings.Join(res.Errors, "; "))
		return nil
	}
	a, err := normalJSON(stock)
	if err != nil {
		return fmt.Errorf("caddy adapt %s output: %w", what, err)
	}
	b, err := normalJSON(res.JSON)
	if err != nil {
		return fmt.Errorf("%s output for %s: %w", gen.CaddyCheckDir, what, err)
	}
	if a != b {
		r.fail("%s: the stock Caddy and %s adapt it differently:\n%s", what, gen.CaddyCheckDir, firstDiff(a, b))
		return nil
	}
	r.logf("caddy: stock Caddy and %s adapt %s to the same JSON config", gen.CaddyCheckDir, what)
	return nil
}

// normalJSON re-encodes a JSON document indented, with object keys sorted.
func normalJSON(data []byte) (string, error) {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.MarshalIndent(v, "", "  ")
	return string(out), err
}

// firstDiff shows the first line where the stock (a) and the checker's (b)
// configs differ, with a few lines of context.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	from := max(0, i-3)
	line := func(ls []string, i int) string {
		if i < len(ls) {
			return ls[i]
		}
		return "(end)"
	}
	var s strings.Builder
	fmt.Fprintf(&s, "line %d\n", i+1)
	for j := from; j < i; j++ {
		fmt.Fprintf(&s, "   %s\n", al[j])
	}
	fmt.Fprintf(&s, "-  %s (stock)\n+  %s (%s)", line(al, i), line(bl, i), gen.CaddyCheckDir)
	return s.String()
}
