package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// CaddyCheckDir is the module holding the Caddy validator (see its doc for
// why it is a module of its own).
const CaddyCheckDir = "tools/caddycheck"

// caddyResult is tools/caddycheck's output.
type caddyResult struct {
	Formatted string   `json:"formatted"`
	Errors    []string `json:"errors"`
	Warnings  []string `json:"warnings"`
}

// placeholder matches a Caddyfile environment placeholder.
var placeholder = regexp.MustCompile(`\{\$([A-Za-z0-9_]+)(:[^}]*)?\}`)

// checkCaddyfile adapts and validates the Caddyfile with Caddy's own
// Caddyfile adapter (placeholders set to the example values in CUE) and
// requires it to be exactly what `caddy fmt` makes of it.
func checkCaddyfile(m *Model, files Files) Problems {
	out := m.Stack.Outputs.Caddyfile
	data := files[out.Path]
	scope := "stack: " + path.Base(out.Path)
	env, ps := caddyEnv(m, string(data), scope)
	res, err := runCaddyCheck(m.Root, data, env)
	if err != nil {
		return append(ps, Problem{Pos: out.Path, Scope: scope, Msg: err.Error()})
	}
	for _, e := range res.Errors {
		ps = append(ps, Problem{Pos: out.Path, Scope: scope, Msg: "Caddy rejects it: " + e})
	}
	for _, w := range res.Warnings {
		ps = append(ps, Problem{Pos: out.Path, Scope: scope, Msg: "Caddy warns: " + w})
	}
	if res.Formatted != string(data) {
		ps = append(ps, Problem{Pos: out.Path, Scope: scope, Msg: "not formatted as `caddy fmt` formats it; caddy fmt gives:\n" + res.Formatted})
	}
	return ps
}

// caddyEnv gives every placeholder of the Caddyfile its example value; a
// placeholder without one is a problem (Caddy would see an empty string).
func caddyEnv(m *Model, caddyfile, scope string) ([]string, Problems) {
	var env []string
	var ps Problems
	seen := map[string]bool{}
	for _, match := range placeholder.FindAllStringSubmatch(caddyfile, -1) {
		name := match[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		v, ok := m.Stack.Settings.Caddy.Examples[name]
		if !ok {
			ps = append(ps, Problem{Pos: m.PosOf("", "settings.caddy.examples"), Scope: scope,
				Msg: fmt.Sprintf("placeholder {$%s} has no example value in settings.caddy.examples", name)})
			continue
		}
		env = append(env, name+"="+v)
	}
	sort.Strings(env)
	return env, ps
}

// runCaddyCheck runs tools/caddycheck on data with the given environment
// (`go run` caches the built binary, so only the first run compiles Caddy).
func runCaddyCheck(root string, data []byte, env []string) (*caddyResult, error) {
	// The real directory, so that a copy of the repository whose tools/ is
	// a symlink (the tests' copies) reuses the cached binary.
	dir, err := filepath.EvalSymlinks(filepath.Join(root, CaddyCheckDir))
	if err != nil {
		return nil, err
	}
	cmd := exec.Command("go", "run", ".")
	cmd.Dir = dir
	cmd.Env = append(withoutVars(os.Environ(), env), env...)
	cmd.Stdin = bytes.NewReader(data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %v: %s", CaddyCheckDir, err, strings.TrimSpace(stderr.String()))
	}
	var res caddyResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("read %s output: %w", CaddyCheckDir, err)
	}
	return &res, nil
}

// withoutVars drops from environ the variables set in env.
func withoutVars(environ, env []string) []string {
	drop := map[string]bool{}
	for _, kv := range env {
		drop[strings.SplitN(kv, "=", 2)[0]] = true
	}
	var out []string
	for _, kv := range environ {
		if !drop[strings.SplitN(kv, "=", 2)[0]] {
			out = append(out, kv)
		}
	}
	return out
}
