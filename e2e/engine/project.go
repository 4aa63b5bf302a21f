package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue/ast"
	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/e2e"
	"github.com/lms/lms-ops/gen"
)

// Where the sink container listens, on the stack's network.
const (
	sinkHTTP    = "http://sink:8080"
	sinkSMTP    = "sink:2525"
	controlPort = "8099" // the stand-ins' control port, published on the loopback
	overrideObs = "docker-compose.engine.yml"
)

// images builds every image the compose files run, to its contract, and
// compares each with the contract as Docker inspects it.
func (r *run) images(ctx context.Context) error {
	var err error
	if r.contracts, err = Contracts(); err != nil {
		return err
	}
	if r.committed, err = gen.Load(r.cfg.Root); err != nil {
		return fmt.Errorf("load envs/: %w", err)
	}
	busybox, err := busyboxPath()
	if err != nil {
		return err
	}
	standin, err := r.buildStandin(ctx)
	if err != nil {
		return err
	}
	refs := []string{"lms-ops-standin/tools:dev"}
	for _, svc := range r.committed.Stack.ComposeServices() {
		if !slices.Contains(refs, svc.Image) {
			refs = append(refs, svc.Image)
		}
	}
	slices.Sort(refs)
	for _, ref := range refs {
		c, ok := r.contracts[ref]
		if !ok {
			return fmt.Errorf("the compose files run %s, which has no contract in e2e/engine/contracts.json: add its user, folders, entrypoint and command from its upstream Dockerfile", ref)
		}
		im := image{ref: ref, contract: c, bin: standin, source: "github.com/lms/lms-ops/e2e/standin (stand-in)"}
		if c.Standin != "" {
			im.ref = c.Standin
			im.extra = map[string]string{"/run.sh": "run.sh"}
		}
		if c.Binary != "standin" {
			bin, module, err := e2e.ServerBinary(r.cfg.Root, r.committed, c.Binary)
			if err != nil {
				return err
			}
			im.bin, im.source = bin, module+" (static, CGO_ENABLED=0)"
		}
		how, err := r.buildImage(ctx, im, busybox)
		if err != nil {
			return err
		}
		if err := checkContract(ctx, im.ref, c); err != nil {
			return err
		}
		r.logf("%-34s %s; user %s (%d:%d), workdir %s, entrypoint %v, cmd %v, folders %v: as the contract", im.ref, how, orRoot(c.User), c.UID, c.GID, c.Workdir, c.Entrypoint, c.Cmd, c.Folders)
	}
	return nil
}

func orRoot(u string) string {
	if u == "" {
		return "root"
	}
	return u
}

// buildStandin builds the stand-ins' binary (static) and Grafana's
// entrypoint script into the project's standin/ folder.
func (r *run) buildStandin(ctx context.Context) (string, error) {
	bin := r.path("standin", "standin")
	if _, err := command(ctx, r.cfg.Root, []string{"CGO_ENABLED=0"}, "go", "build", "-o", bin, "./e2e/standin"); err != nil {
		return "", err
	}
	return bin, os.WriteFile(r.path("standin", "run.sh"), []byte(grafanaRunSh), 0o755)
}

// grafanaRunSh is what the official image's /run.sh does before it starts
// Grafana (packaging/docker/run.sh in grafana/grafana): each GF_X__FILE
// becomes GF_X, with `export` of a command substitution, so an unreadable
// file gives an empty GF_X and no error; both set is refused.
const grafanaRunSh = `#!/bin/sh -e
for VAR_NAME in $(env | grep '^GF_[^=]\+__FILE=.\+' | sed -r "s/([^=]*)__FILE=.*/\1/g"); do
    VAR_NAME_FILE="$VAR_NAME"__FILE
    if [ "$(eval echo "\$$VAR_NAME")" ]; then
        echo >&2 "ERROR: Both $VAR_NAME and $VAR_NAME_FILE are set (but are exclusive)"
        exit 1
    fi
    echo "Getting secret $VAR_NAME from $(eval echo "\$$VAR_NAME_FILE")"
    export "$VAR_NAME"="$(cat "$(eval echo "\$$VAR_NAME_FILE")")"
    unset "$VAR_NAME_FILE"
done
exec /usr/share/grafana/bin/grafana grafana "$@"
`

// render renders the engine overlay of the model (see overrides) through
// gen's whole pipeline and writes it into the project directory, with the
// override file of the stand-ins and the secrets.
func (r *run) render(ctx context.Context) error {
	// The prod file requires the Caddyfile's placeholders; localhost makes
	// Caddy use its internal CA, never ACME.
	env := r.committed.Stack.Settings.Caddy.Env
	r.composeEnv = []string{env["domain"] + "=localhost", env["email"] + "=ops@localhost"}
	if err := r.renderModel(nil); err != nil {
		return err
	}
	if err := r.writeOverride(); err != nil {
		return err
	}
	return r.writeSecrets(nil)
}

// renderModel renders the overlay plus extra overrides and writes it as
// gen writes a checkout (each file renamed into place).
func (r *run) renderModel(extra []e2e.Override) error {
	ovs := append(r.overrides(), extra...)
	overlay, err := e2e.Overlay(r.cfg.Root, ovs)
	if err != nil {
		return err
	}
	res, err := gen.Run(r.cfg.Root, gen.Options{Overlay: overlay, Skip: map[string]string{
		"service-addresses": "the API stand-ins the scrape jobs target are services of the run's override file",
	}})
	if err != nil {
		return fmt.Errorf("the engine overlay of the model: %w", err)
	}
	r.model = res.Model
	r.obsFiles = []string{res.Model.Stack.Outputs.ComposeObservability.Path, overrideObs}
	r.prodFiles = []string{res.Model.Stack.Outputs.ComposeProd.Path}
	return gen.Write(r.dir, res.Files)
}

// overrides are the test's values: e2e's timings, the sinks, each
// environment's API stand-in as its target, and the HA topology when on.
func (r *run) overrides() []e2e.Override {
	m := r.committed
	ovs := append(e2e.TimingOverrides(m), e2e.SinkOverrides(sinkHTTP, sinkSMTP)...)
	// Probe every second, as the timings above: the probes themselves are
	// the committed ones, only their pace changes.
	ovs = append(ovs, e2e.Override{Dir: "envs", Path: "settings.lifecycle.healthcheck.interval", Value: ast.NewString("1s")})
	for _, n := range envNames(m) {
		ovs = append(ovs, e2e.Override{Dir: path.Join(gen.EnvsDir, n), Path: "target", Value: ast.NewString(apiService(n) + ":" + r.apiPort(n))})
	}
	if r.ha {
		ovs = append(ovs, e2e.Override{Dir: "envs", Path: "settings.ha.enabled", Value: ast.NewBool(true)})
	}
	return ovs
}

func apiService(env string) string { return "api-" + env }

// apiPort is the port of the environment's committed target.
func (r *run) apiPort(env string) string {
	_, port, _ := net.SplitHostPort(r.committed.Stack.Envs[env].Target)
	return port
}

func envNames(m *gen.Model) []string {
	return slices.Sorted(maps.Keys(m.Stack.Envs))
}

// writeOverride writes the test's compose override: the Grafana stand-in
// in place of Grafana (never tagged grafana/grafana), the sink, and an API
// stand-in per environment on the stack's network; the one Caddy proxies
// to also answers to the upstream's host name.
func (r *run) writeOverride() error {
	standin := r.contracts["grafana/grafana:"+r.committed.Stack.Versions.Grafana].Standin
	tools := "lms-ops-standin/tools:dev"
	loop := "127.0.0.1::" + controlPort
	services := map[string]any{
		"grafana":                   map[string]any{"image": standin},
		"grafana" + r.checkSuffix(): map[string]any{"image": standin},
		"sink":                      map[string]any{"image": tools, "command": []string{"sink"}, "ports": []string{loop}},
	}
	upstream, _, _ := net.SplitHostPort(r.committed.Stack.Settings.Caddy.Upstream)
	paging := e2e.PagingEnv(r.committed)
	for _, n := range envNames(r.committed) {
		svc := map[string]any{
			"image":       tools,
			"command":     []string{"api"},
			"environment": map[string]string{"PORT": r.apiPort(n), "SOURCE": gen.APISource, "CATALOG": "/etc/standin/catalog.json"},
			"volumes":     []string{"./standin:/etc/standin:ro"},
			"ports":       []string{loop},
		}
		if n == paging {
			svc["networks"] = map[string]any{"default": map[string]any{"aliases": []string{upstream}}}
		}
		services[apiService(n)] = svc
	}
	data, err := yaml.Marshal(map[string]any{"services": services})
	if err != nil {
		return err
	}
	catalog, err := json.Marshal(e2e.Catalog(r.committed.Stack.Metrics))
	if err != nil {
		return err
	}
	if err := os.WriteFile(r.path("standin", "catalog.json"), catalog, 0o644); err != nil {
		return err
	}
	return os.WriteFile(r.path(overrideObs), data, 0o644)
}

func (r *run) checkSuffix() string { return r.committed.Stack.Settings.Secrets.CheckSuffix }

// writeSecrets creates the secret files the way ops/README.md tells
// operators to: the folder with settings.secrets.dir_mode, each file with
// file_mode. modes overrides a file's mode (an operator's mistake).
func (r *run) writeSecrets(modes map[string]os.FileMode) error {
	s := r.committed.Stack.Settings.Secrets
	dirMode, err := parseMode(s.DirMode)
	if err != nil {
		return err
	}
	fileMode, err := parseMode(s.FileMode)
	if err != nil {
		return err
	}
	dir := r.path(s.HostDir)
	if err := os.MkdirAll(dir, dirMode); err != nil {
		return err
	}
	if err := os.Chmod(dir, dirMode); err != nil {
		return err
	}
	for name, value := range e2e.SecretValues(r.committed, sinkHTTP) {
		p := r.path(s.HostDir, name)
		os.Remove(p)
		mode := fileMode
		if m, ok := modes[name]; ok {
			mode = m
		}
		if err := os.WriteFile(p, []byte(value), mode); err != nil {
			return err
		}
		if err := os.Chmod(p, mode); err != nil { // past the umask
			return err
		}
	}
	return nil
}

func parseMode(s string) (os.FileMode, error) {
	m, err := strconv.ParseUint(strings.TrimPrefix(s, "0"), 8, 32)
	if err != nil {
		return 0, fmt.Errorf("mode %q: %w", s, err)
	}
	return os.FileMode(m), nil
}
