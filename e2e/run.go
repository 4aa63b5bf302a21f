// Package e2e runs the generated stack on the real servers, built from
// their Go modules at the pinned versions, on loopback only: a fake LMS API
// per environment, Prometheus, Alertmanager with its receivers pointed at
// local sinks, and Caddy in front of the API. It proves that every alert
// fires under its fault and reaches exactly the receivers the policy says.
package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/lms/lms-ops/gen"
)

// Config says where the repository is and where to report.
type Config struct {
	Root string
	Out  io.Writer
	// Keep keeps the temporary directory (configs, data, logs).
	Keep bool
}

// run holds one end-to-end run.
type run struct {
	cfg     Config
	start   time.Time
	dir     string
	ports   map[string]int
	bins    map[string]string
	model   *gen.Model // the laptop overlay of the model
	files   map[string][]byte
	apis    map[string]*FakeAPI
	sinks   *Sinks
	procs   []*Proc
	servers map[string]*Proc // the running Prometheus and Alertmanager, by name
	grafana *http.Server     // the stand-in Grafana scrape target
	// ha runs the high-availability topology (settings.ha.enabled);
	// prometheuses and alertmanagers are the compose services of the
	// servers (one each, or one per replica).
	ha                          bool
	prometheuses, alertmanagers []string
	failures                    []string
}

// portNames are the loopback ports a run needs, besides one per environment.
var portNames = []string{"sinks", "smtp", "caddy", "caddy-http", "caddy-admin", "caddy-metrics", "grafana"}

// Run runs the end-to-end test and returns an error listing every failure.
// Every process it starts is stopped before it returns, also when ctx is
// cancelled (Ctrl-C).
func Run(ctx context.Context, cfg Config) (err error) {
	r := &run{cfg: cfg, start: time.Now(), apis: map[string]*FakeAPI{}, servers: map[string]*Proc{}}
	if r.dir, err = os.MkdirTemp("", "lms-ops-e2e-"); err != nil {
		return err
	}
	defer r.cleanup(&err)
	steps := []step{
		{"build the servers", r.build},
		{"render the laptop overlay", r.render},
		{"stock Caddy and the Caddy check adapt the Caddyfile alike", r.caddyAdapters},
		{"start", r.startAll},
		{"every scrape target is up", r.targetsUp},
		{"a healthy run sends nothing but the heartbeat", r.healthy},
		{"each alert fires under its fault and reaches its receivers", r.faults},
		{"LMSApiDown inhibits the other alerts of its job", r.inhibition},
		{"Caddy proxies, compresses and hides /metrics", r.caddy},
		{"the public site opens no server", r.publicSite},
		{"Prometheus keeps what it scraped across a restart", r.restartPrometheus},
		{"Alertmanager keeps its silences and notification log across a restart", r.restartAlertmanager},
		{"notifications link to the stack's external URLs", r.externalURLs},
		{"a failing Slack is reported by e-mail", r.slackOutage},
		{"with Alertmanager stopped, Prometheus raises the alarm", r.alertmanagerDown},
		{"the heartbeat got Watchdog only", r.heartbeatOnly},
		{"the HA topology: replicas de-duplicated, a cluster that shares silences and survives a kill", r.haPhase},
	}
	if err := r.runSteps(ctx, "", steps); err != nil {
		return err
	}
	if len(r.failures) > 0 {
		return errors.New(strings.Join(r.failures, "\n"))
	}
	return nil
}

// step is one named proof of the run.
type step struct {
	name string
	fn   func(context.Context) error
}

// runSteps runs the steps in order, each logged as done (under prefix),
// and stops at the first that cannot go on, or when ctx ends.
func (r *run) runSteps(ctx context.Context, prefix string, steps []step) error {
	for _, s := range steps {
		if err := s.fn(ctx); err != nil {
			return fmt.Errorf("%s%s: %w", prefix, s.name, err)
		}
		r.logf("%s%s: done", prefix, s.name)
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	return nil
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

// cleanup stops everything; on failure it points at the logs.
func (r *run) cleanup(err *error) {
	for i := len(r.procs) - 1; i >= 0; i-- {
		r.procs[i].Stop()
	}
	for _, a := range r.apis {
		a.Close()
	}
	if r.sinks != nil {
		r.sinks.Close()
	}
	if r.grafana != nil {
		r.grafana.Close()
	}
	if *err != nil {
		var logs []string
		for _, p := range r.procs {
			logs = append(logs, p.Log)
		}
		if r.sinks != nil {
			*err = fmt.Errorf("%w\nnotifications received:\n%s", *err, r.sinks)
		}
		*err = fmt.Errorf("%w\nserver logs: %s (kept)", *err, strings.Join(logs, " "))
		return
	}
	if !r.cfg.Keep {
		os.RemoveAll(r.dir)
	}
}

// path is a file of the run's temporary directory.
func (r *run) path(elem ...string) string {
	return filepath.Join(append([]string{r.dir}, elem...)...)
}

func (r *run) addr(name string) string {
	return "127.0.0.1:" + strconv.Itoa(r.ports[name])
}

// listen opens the reserved port of name.
func (r *run) listen(name string) (net.Listener, error) {
	return net.Listen("tcp", r.addr(name))
}

// WaitFor polls cond every 250 ms until it returns true, ctx ends or the
// timeout passes; the last error of cond explains a timeout.
func WaitFor(ctx context.Context, timeout time.Duration, cond func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := cond()
		if ok {
			return nil
		}
		last = err
		if time.Now().After(deadline) {
			if last == nil {
				last = errors.New("condition not met")
			}
			return fmt.Errorf("after %s: %w", timeout, last)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
