package engine

import (
	"context"
	"fmt"
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/lms/lms-ops/e2e"
)

// crash kills the Prometheus process (SIGKILL from outside, as the kernel's
// OOM killer would); the restart policy brings the container back, healthy,
// with the series it had scraped.
func (r *run) crash(ctx context.Context) error {
	svc := r.model.Stack.Outputs.Prometheus.MountedAt.Service
	before := time.Now().Add(-5 * time.Second)
	if n, err := r.seriesAt(`up{job="prometheus"}`, before); err != nil || n == 0 {
		return fmt.Errorf("no series to keep before the crash: %d, %v", n, err)
	}
	states, err := r.states(ctx, r.obsFiles)
	if err != nil {
		return err
	}
	s := states[svc]
	if err := killProcess(ctx, s.ID); err != nil {
		return err
	}
	start := time.Now()
	if err := waitFor(ctx, 2*time.Minute, func() (bool, error) {
		now, err := r.states(ctx, r.obsFiles)
		n := now[svc]
		return n.Restarts > s.Restarts && n.Health == "healthy", fmt.Errorf("%s: %d restarts, %s %s (%v)", svc, n.Restarts, n.Status, n.Health, err)
	}); err != nil {
		return err
	}
	back := time.Since(start)
	if n, err := r.seriesAt(`up{job="prometheus"}`, before); err != nil || n == 0 {
		r.fail("after the crash, Prometheus lost the series it had: %d, %v", n, err)
	}
	r.logf("%s killed (SIGKILL): restarted by the policy and healthy after %s, series from before still there", svc, back.Round(100*time.Millisecond))
	return nil
}

// killProcess sends SIGKILL to a container's main process from the host
// (a process cannot kill its own namespace's init with SIGKILL). Without
// root, a helper container in the host's PID namespace does it.
func killProcess(ctx context.Context, id string) error {
	out, err := docker(ctx, "inspect", "--format", "{{.State.Pid}}", id)
	if err != nil {
		return err
	}
	pid, err := strconv.Atoi(strings.TrimSpace(out))
	if err != nil || pid <= 0 {
		return fmt.Errorf("container %s has no process: %q", id, out)
	}
	if os.Geteuid() == 0 {
		return syscall.Kill(pid, syscall.SIGKILL)
	}
	_, err = docker(ctx, "run", "--rm", "--pid=host", "--privileged", "--entrypoint", "/bin/kill", "lms-ops-standin/tools:dev", "-9", strconv.Itoa(pid))
	return err
}

// persistence: `docker compose down` (no -v), then up: a series scraped
// before is still there, a silence still in force, an alert notified
// before is not notified again while a new one is, and the Grafana
// stand-in's data volume kept what it wrote.
func (r *run) persistence(ctx context.Context) error {
	env := e2e.PagingEnv(r.committed)
	label := r.committed.Stack.Envs[env].Labels["environment"]
	alert := func(name string) map[string]string {
		return map[string]string{"alertname": name, "environment": label, "severity": "warning", "job": "engine"}
	}
	silenced, err := r.silence(0, "EngineSilenced")
	if err != nil {
		return err
	}
	if err := r.postAlert(0, alert("EngineNotifiedOnce")); err != nil {
		return err
	}
	if counts, err := r.waitNotified(ctx, "EngineNotifiedOnce", nil, time.Minute); err != nil || len(counts) == 0 {
		return fmt.Errorf("EngineNotifiedOnce was not notified before down: %v %v", counts, err)
	}
	before := time.Now().Add(-5 * time.Second)
	starts, err := r.grafanaStarts()
	if err != nil {
		return err
	}
	// Caddy (the prod file) is attached to the observability file's
	// network, which down removes: it goes first, as it would for an
	// operator.
	if _, err := r.compose(ctx, r.prodFiles, "down", "-t", "5"); err != nil {
		return err
	}
	t := time.Now()
	if _, err := r.compose(ctx, r.obsFiles, "down", "-t", "30"); err != nil {
		return err
	}
	if err := r.upObs(ctx); err != nil {
		return err
	}
	r.logf("down and up in %s", time.Since(t).Round(100*time.Millisecond))
	if n, err := r.seriesAt(`up{job="prometheus"}`, before); err != nil || n == 0 {
		r.fail("after down and up, Prometheus lost its series: %d, %v", n, err)
	}
	if st, err := r.silenceState(0, silenced); err != nil || st != "active" {
		r.fail("after down and up, the silence is %q (%v), want active", st, err)
	}
	if n, err := r.grafanaStarts(); err != nil || n != starts+1 {
		r.fail("the Grafana stand-in counted %d starts (%v), want %d: its data volume did not keep what it wrote", n, err, starts+1)
	}
	// Prometheus would send the firing alert again: the notification log
	// must say it was sent. A new alert proves notifications still go.
	for _, name := range []string{"EngineNotifiedOnce", "EngineNewAfterRestart"} {
		if err := r.postAlert(0, alert(name)); err != nil {
			return err
		}
	}
	counts, err := r.waitNotified(ctx, "EngineNewAfterRestart", nil, time.Minute)
	if err != nil {
		return err
	}
	got, err := r.notifications(ctx)
	if err != nil {
		return err
	}
	if again := firingCounts(got, "EngineNotifiedOnce"); len(again) > 0 {
		r.fail("after down and up, EngineNotifiedOnce was notified again: %v", again)
	}
	r.logf("kept: series, silence %s active, notification log (no repeat; a new alert reached %v), Grafana's volume (start %d)", silenced, slices.Sorted(maps.Keys(counts)), starts+1)
	return nil
}

// grafanaStarts is what the Grafana stand-in read from its data volume.
func (r *run) grafanaStarts() (int, error) {
	var st struct {
		Starts int `json:"starts"`
	}
	err := call("GET", r.uiURL("grafana", 0)+"/api/standin", nil, &st)
	return st.Starts, err
}

// secrets: an operator creates one secret with mode 0600, as most people
// do with secrets. Each secret reader's one-shot check refuses `up`, names
// the file, the user and the fix, and the reader never starts: not an
// Alertmanager that is healthy but cannot notify, not a Grafana on
// admin/admin. Done for one Alertmanager secret and Grafana's.
func (r *run) secrets(ctx context.Context) error {
	s := r.committed.Stack.Settings
	cases := []struct{ reader, secret string }{
		{"alertmanager", slices.Sorted(maps.Keys(s.Alertmanager.Secrets))[0]},
		{"grafana", s.Grafana.AdminPasswordSecret},
	}
	for _, c := range cases {
		if _, err := r.compose(ctx, r.obsFiles, "down", "-t", "30"); err != nil {
			return err
		}
		if err := r.writeSecrets(map[string]os.FileMode{c.secret: 0o600}); err != nil {
			return err
		}
		_, err := r.compose(ctx, r.obsFiles, "up", "-d")
		check := c.reader + s.Secrets.CheckSuffix
		logs, _ := r.compose(ctx, r.obsFiles, "logs", "--no-color", "--no-log-prefix", check)
		want := []string{"./" + s.Secrets.HostDir + "/" + c.secret, "cannot be read by uid", "chmod " + s.Secrets.FileMode}
		switch {
		case err == nil:
			r.fail("%s with mode 0600: up succeeded", c.secret)
		case !containsAll(logs, want):
			r.fail("%s with mode 0600: %s says %q, want %v", c.secret, check, logs, want)
		}
		states, serr := r.states(ctx, r.obsFiles)
		if serr != nil {
			return serr
		}
		for name, st := range states {
			if strings.HasPrefix(name, c.reader) && name != check && st.Status == "running" {
				r.fail("%s with mode 0600: %s is running", c.secret, name)
			}
		}
		r.logf("%s 0600: up refused; %s: %s", c.secret, check, firstLine(logs))
	}
	if err := r.writeSecrets(nil); err != nil {
		return err
	}
	return r.upObs(ctx)
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return l
}
