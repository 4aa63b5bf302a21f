package verify

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

	"github.com/lms/lms-ops/gen/internal/memo"
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/toolbin"
)

// CaddyCheckDir is the module holding the Caddy validator (see its doc for
// why it is a module of its own).
const CaddyCheckDir = "tools/caddycheck"

// CaddyResult is tools/caddycheck's output.
type CaddyResult struct {
	// Formatted is the input as `caddy fmt` formats it.
	Formatted string `json:"formatted"`
	// Errors are Caddy's adapter and validation errors.
	Errors []string `json:"errors"`
	// Warnings are the adapter's warnings.
	Warnings []string `json:"warnings"`
	// JSON is the adapted config, as `caddy adapt` prints it (absent when
	// the Caddyfile does not adapt).
	JSON json.RawMessage `json:"json"`
}

// placeholder matches a Caddyfile environment placeholder.
var placeholder = regexp.MustCompile(`\{\$([A-Za-z0-9_]+)(:[^}]*)?\}`)

// checkCaddyfile adapts and validates the Caddyfile with Caddy's own
// Caddyfile adapter (placeholders set to the example values in CUE) and
// requires it to be exactly what `caddy fmt` makes of it.
func checkCaddyfile(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Caddyfile
	data := files[out.Path]
	scope := "stack: " + path.Base(out.Path)
	env, ps := caddyEnv(m, string(data), scope)
	res, err := RunCaddyCheck(m.Root, data, env)
	if err != nil {
		return append(ps, model.Problem{Pos: out.Path, Scope: scope, Msg: err.Error()})
	}
	for _, e := range res.Errors {
		msg := "Caddy rejects it: " + e
		if strings.Contains(e, "unrecognized directive") || strings.Contains(e, "module not registered") {
			// Also true of a typo; when it is a real directive, module or
			// encoder of the deployed Caddy, say where to add it.
			msg += " (" + CaddyCheckDir + " links only the Caddy modules the Caddyfile uses; if the deployed Caddy has this one, add its package to " + CaddyCheckDir + "/modules.go)"
		}
		ps = append(ps, model.Problem{Pos: out.Path, Scope: scope, Msg: msg})
	}
	for _, w := range res.Warnings {
		ps = append(ps, model.Problem{Pos: out.Path, Scope: scope, Msg: "Caddy warns: " + w})
	}
	if res.Formatted != string(data) {
		ps = append(ps, model.Problem{Pos: out.Path, Scope: scope, Msg: "not formatted as `caddy fmt` formats it; caddy fmt gives:\n" + res.Formatted})
	}
	return ps
}

// caddyEnv gives every placeholder of the Caddyfile its example value; a
// placeholder without one is a problem (Caddy would see an empty string).
func caddyEnv(m *model.Model, caddyfile, scope string) ([]string, model.Problems) {
	var env []string
	var ps model.Problems
	seen := map[string]bool{}
	for _, match := range placeholder.FindAllStringSubmatch(caddyfile, -1) {
		name := match[1]
		if seen[name] {
			continue
		}
		seen[name] = true
		v, ok := m.Stack.Settings.Caddy.Examples[name]
		if !ok {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathSettingsCaddyExamples), Scope: scope,
				Msg: fmt.Sprintf("placeholder {$%s} has no example value in settings.caddy.examples", name)})
			continue
		}
		env = append(env, name+"="+v)
	}
	sort.Strings(env)
	return env, ps
}

// CaddyEnv gives every placeholder of the Caddyfile data the example value
// CUE sets for it, as NAME=value pairs (what gen checks the Caddyfile with).
func CaddyEnv(m *model.Model, data []byte) ([]string, error) {
	env, ps := caddyEnv(m, string(data), "stack: Caddyfile")
	if len(ps) > 0 {
		return nil, ps
	}
	return env, nil
}

// RunCaddyCheck runs tools/caddycheck on a Caddyfile with the given
// environment (NAME=value pairs for its placeholders). The checker is built
// once and cached (see ToolBinary); only a change to its go.mod, go.sum or
// sources builds it again.
func RunCaddyCheck(root string, data []byte, env []string) (*CaddyResult, error) {
	bin, err := toolbin.Binary(filepath.Join(root, CaddyCheckDir), ".")
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", CaddyCheckDir, err)
	}
	return caddyRuns.Do([][]byte{[]byte(bin), data, []byte(strings.Join(env, "\n"))}, func() (*CaddyResult, error) {
		return runCaddyCheck(bin, data, env)
	})
}

// caddyRuns remembers the checker's verdicts by binary, Caddyfile and
// placeholders: a process of its own costs about 70 ms, and the tool's
// tests run gen hundreds of times, mostly on the same Caddyfile.
var caddyRuns memo.Cache[*CaddyResult]

// runCaddyCheck is one run of the checker binary bin.
func runCaddyCheck(bin string, data []byte, env []string) (*CaddyResult, error) {
	cmd := exec.Command(bin)
	cmd.Env = append(withoutVars(os.Environ(), env), env...)
	cmd.Stdin = bytes.NewReader(data)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %v: %s", CaddyCheckDir, err, strings.TrimSpace(stderr.String()))
	}
	var res CaddyResult
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
