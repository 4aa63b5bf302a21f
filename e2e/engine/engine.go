// Package engine runs the generated stack under a real Docker Engine with
// Docker Compose v2, as operators deploy it: `docker compose -f
// docker-compose.observability.yml up -d`, then the prod file. The images
// are built locally to the upstream images' contracts (user, folders,
// entrypoint, command) from the same pinned server binaries e2e runs on
// loopback; Grafana, whose code cannot be used here, is a stand-in that
// keeps Grafana's container contract. Every outbound address points at a
// sink container of the run's own project, and no image is pulled.
//
// What it proves, one timed line per step: every service healthy by
// Docker's own healthchecks; the ports as the engine bound them; Caddy's
// HTTPS; an alert delivered through containers, once; a reload after gen
// with no container re-created; a killed Prometheus back with its data;
// down and up keeping series, silences, the notification log and
// Grafana's data; an unreadable secret refused at up; and the HA topology
// with one Alertmanager cut off and another killed.
package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/lms/lms-ops/e2e"
	"github.com/lms/lms-ops/gen"
)

// Config says where the repository is and where to report.
type Config struct {
	Root string
	Out  io.Writer
	// Keep keeps the project directory (configs, secrets) after the run.
	Keep bool
}

// run is one engine run.
type run struct {
	cfg        Config
	start      time.Time
	dir        string // the compose project directory (a checkout's layout)
	composeBin string
	composeEnv []string
	contracts  map[string]Contract
	committed  *gen.Model
	model      *gen.Model // the rendered overlay now deployed
	ha         bool
	built      []string // images this run built
	obsFiles   []string // compose files of the observability project
	prodFiles  []string
	volumes    []string // the daemon's volumes before the run
	failures   []string
}

// Run runs the engine phase and returns an error listing every failure.
// Whatever it created (containers, networks, volumes) is removed before it
// returns, also on failure and when ctx is cancelled. The images it builds
// are kept, labelled with a hash of their inputs, so the next run rebuilds
// only what changed.
func Run(ctx context.Context, cfg Config) (err error) {
	r := &run{cfg: cfg, start: time.Now()}
	if r.dir, err = os.MkdirTemp("", "lms-ops-engine-"); err != nil {
		return err
	}
	defer r.cleanup(&err)
	steps := []step{
		{"the engine and Compose", r.tools},
		{"images built to the upstream contracts", r.images},
		{"the engine overlay rendered, secrets created as ops/README.md says", r.render},
		{"the prod file before the observability file is refused", r.prodFirst},
		{"up: every service healthy by Docker's healthchecks", r.up},
		{"doors, as the engine bound them", r.doors},
		{"Caddy serves HTTPS (internal CA) with zstd and gzip, /metrics is 404", r.caddy},
		{"an alert through containers reaches Slack once, with the external URLs", r.alertThrough},
		{"Watchdog reaches the heartbeat and nothing else", r.heartbeat},
		{"reload after gen: the new threshold in effect, no container re-created", r.reload},
		{"a killed Prometheus is restarted with its data", r.crash},
		{"down and up keep series, silences, the notification log and Grafana's data", r.persistence},
		{"an unreadable secret is refused at up, naming the file, the user and the fix", r.secrets},
		{"HA: one Alertmanager cut off, another killed: each alert notified once, silences caught up", r.haPhase},
	}
	for _, s := range steps {
		t := time.Now()
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		r.logf("%s: done in %s", s.name, time.Since(t).Round(100*time.Millisecond))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if len(r.failures) > 0 {
		return errors.New(strings.Join(r.failures, "\n"))
	}
	return nil
}

type step struct {
	name string
	fn   func(context.Context) error
}

// logf prints a timeline line: seconds since the start, then the message.
func (r *run) logf(format string, args ...any) {
	fmt.Fprintf(r.cfg.Out, "%7.1fs  %s\n", time.Since(r.start).Seconds(), fmt.Sprintf(format, args...))
}

// fail records a failed assertion; the run goes on to report them all.
func (r *run) fail(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	r.failures = append(r.failures, msg)
	r.logf("FAIL %s", msg)
}

// tools finds the daemon and builds Compose.
func (r *run) tools(ctx context.Context) error {
	v, api, err := daemon(ctx)
	if err != nil {
		return err
	}
	if r.composeBin, err = composeBinary(ctx, r.cfg.Root); err != nil {
		return err
	}
	if r.volumes, err = dockerList(ctx, "volume", "ls", "-q"); err != nil {
		return err
	}
	r.logf("Docker Engine %s (API %s), Docker Compose %s", v, api, composeVersion)
	return nil
}

// dockerList runs a docker listing command and returns its lines.
func dockerList(ctx context.Context, args ...string) ([]string, error) {
	out, err := docker(ctx, args...)
	return strings.Fields(out), err
}

// leftovers lists what the run created and did not remove: containers of
// its project, volumes that were not there before it, its networks.
func (r *run) leftovers(ctx context.Context) ([]string, error) {
	project := strings.ToLower(filepath.Base(r.dir))
	var left []string
	cs, err := dockerList(ctx, "ps", "-aq", "--filter", "label=com.docker.compose.project="+project)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		left = append(left, "container "+c)
	}
	vs, err := dockerList(ctx, "volume", "ls", "-q")
	if err != nil {
		return nil, err
	}
	for _, v := range vs {
		if !slices.Contains(r.volumes, v) {
			left = append(left, "volume "+v)
		}
	}
	ns, err := dockerList(ctx, "network", "ls", "-q", "--filter", "name=^"+r.committed.Stack.Settings.Monitoring.Network+"$")
	for _, n := range ns {
		left = append(left, "network "+n)
	}
	return left, err
}

// cleanup takes the project down with its volumes and removes the project
// directory; on failure it prints the services' logs first.
func (r *run) cleanup(err *error) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if r.composeBin != "" && len(r.obsFiles) > 0 {
		for _, files := range [][]string{r.prodFiles, r.obsFiles} {
			if *err != nil {
				if out, lerr := r.compose(ctx, files, "logs", "--no-color", "--tail", "40"); lerr == nil {
					fmt.Fprintf(r.cfg.Out, "--- service logs\n%s", out)
				}
			}
			if _, derr := r.compose(ctx, files, "down", "-v", "-t", "5"); derr != nil {
				*err = errors.Join(*err, fmt.Errorf("cleanup: %w", derr))
			}
		}
		if left, lerr := r.leftovers(ctx); lerr != nil || len(left) > 0 {
			*err = errors.Join(*err, fmt.Errorf("cleanup: the run left %v behind (%v)", left, lerr))
		} else {
			r.logf("cleanup: no container, volume or network of the run is left; the images are kept for the next run")
		}
	}
	if r.cfg.Keep {
		r.logf("kept %s", r.dir)
		return
	}
	os.RemoveAll(r.dir)
}

// filesOf are the compose files that define service: the prod file's
// (Caddy) or the observability file's with the test's override.
func (r *run) filesOf(service string) []string {
	if _, ok := r.model.Stack.Outputs.ComposeProd.Compose.Services[service]; ok {
		return r.prodFiles
	}
	return r.obsFiles
}

func (r *run) path(elem ...string) string {
	return filepath.Join(append([]string{r.dir}, elem...)...)
}

// waitFor is e2e.WaitFor bound to the run's context.
var waitFor = e2e.WaitFor
