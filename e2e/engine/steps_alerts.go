package engine

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/token"

	"github.com/lms/lms-ops/e2e"
	"github.com/lms/lms-ops/gen"
)

// alertThrough: the paging environment's API stand-in serves 5xx; the
// alert fires in Prometheus, and each receiver's sink gets it exactly once,
// with the external URLs of Alertmanager and Grafana.
func (r *run) alertThrough(ctx context.Context) error {
	env := e2e.PagingEnv(r.committed)
	alert := e2e.AlertOf(e2e.Errors)
	label := r.committed.Stack.Envs[env].Labels["environment"]
	start := time.Now()
	before, err := r.notifications(ctx)
	if err != nil {
		return err
	}
	if err := r.control(ctx, apiService(env), "PUT", "/fault", string(e2e.Errors)); err != nil {
		return err
	}
	defer r.control(ctx, apiService(env), "PUT", "/fault", string(e2e.Healthy))
	if err := waitFor(ctx, 2*time.Minute, func() (bool, error) {
		alerts, err := r.promAlerts(0)
		return alerts[alert+"/"+label] == "firing", fmt.Errorf("%s/%s: %q (%v)", alert, label, alerts[alert+"/"+label], err)
	}); err != nil {
		return err
	}
	fired := time.Since(start)
	counts, err := r.waitNotified(ctx, alert, before, time.Minute)
	if err != nil {
		return err
	}
	slack := 0
	for sink, n := range counts {
		if n != 1 {
			r.fail("%s reached %s %d times, want once", alert, sink, n)
		}
		if strings.HasPrefix(sink, "slack/") {
			slack++
		}
	}
	if slack == 0 {
		r.fail("%s reached no Slack sink: %v", alert, counts)
	}
	got, err := r.notifications(ctx)
	if err != nil {
		return err
	}
	for _, n := range got {
		if !strings.HasPrefix(n.Sink, "slack/") || !strings.Contains(n.Text, alert) {
			continue
		}
		for _, svc := range []string{"alertmanager", "grafana"} {
			if u := r.committed.Stack.Settings.Services[svc].ExternalURL; !strings.Contains(n.Body, u) {
				r.fail("the Slack notification of %s has no link to %s's external URL %s", alert, svc, u)
			}
		}
	}
	r.logf("%s/%s firing after %s; delivered %v", alert, label, fired.Round(100*time.Millisecond), counts)
	return nil
}

// heartbeat: Watchdog reaches the webhook sinks (the heartbeat), again and
// again, and no other sink; the heartbeat gets nothing else.
func (r *run) heartbeat(ctx context.Context) error {
	got, err := r.notifications(ctx)
	if err != nil {
		return err
	}
	beats := 0
	for _, n := range got {
		isBeat := strings.HasPrefix(n.Sink, "webhook/")
		isWatchdog := n.Text == "Watchdog"
		switch {
		case isBeat && isWatchdog:
			beats++
		case isBeat:
			r.fail("the heartbeat got %q", n.Text)
		case strings.Contains(n.Text, "Watchdog"):
			r.fail("Watchdog reached %s", n.Sink)
		}
	}
	if beats < 2 {
		r.fail("the heartbeat got Watchdog %d times, want it repeated", beats)
	}
	r.logf("heartbeat: Watchdog %d times, nothing else; Watchdog nowhere else", beats)
	return nil
}

// reload: an operator changes a threshold, runs gen, and reloads as
// ops/README.md says (SIGHUP from inside the container: `docker compose
// kill -s SIGHUP` would mark it stopped by hand, and the restart policy
// would ignore its next crash; the crash step proves it does not).
// Prometheus reads the new rule file through its folder mount; no
// container is re-created.
func (r *run) reload(ctx context.Context) error {
	env := e2e.PagingEnv(r.committed)
	alert := e2e.AlertOf(e2e.Errors)
	old := r.committed.Stack.Envs[env].Alerts[alert].Threshold
	next := old / 2
	before, err := r.states(ctx, r.obsFiles)
	if err != nil {
		return err
	}
	if err := r.renderModel([]e2e.Override{numberOverride(gen.EnvsDir+"/"+env, "alerts."+alert+".threshold", next)}); err != nil {
		return err
	}
	svc := r.model.Stack.Outputs.Prometheus.MountedAt.Service
	if _, err := r.compose(ctx, r.obsFiles, "exec", "-T", svc, "kill", "-HUP", "1"); err != nil {
		return err
	}
	want := strconv.FormatFloat(next, 'g', -1, 64)
	label := r.committed.Stack.Envs[env].Labels["environment"]
	if err := waitFor(ctx, time.Minute, func() (bool, error) {
		q, err := r.ruleQuery(alert, label)
		return strings.Contains(q, want), fmt.Errorf("rule %s/%s: %q (%v)", alert, label, q, err)
	}); err != nil {
		return err
	}
	after, err := r.states(ctx, r.obsFiles)
	if err != nil {
		return err
	}
	for name, s := range before {
		if after[name].ID != s.ID {
			r.fail("%s was re-created by the reload", name)
		}
	}
	r.logf("%s/%s threshold %g → %s in effect after kill -HUP 1 in the container; %d containers, none re-created", alert, label, old, want, len(before))
	return nil
}

func numberOverride(dir, path string, v float64) e2e.Override {
	return e2e.Override{Dir: dir, Path: path, Value: &ast.BasicLit{Kind: token.FLOAT, Value: strconv.FormatFloat(v, 'g', -1, 64)}}
}

// ruleQuery is the expression Prometheus evaluates for alert in the group
// of environment label.
func (r *run) ruleQuery(alert, label string) (string, error) {
	var res struct {
		Data struct {
			Groups []struct {
				Rules []struct {
					Name   string            `json:"name"`
					Query  string            `json:"query"`
					Labels map[string]string `json:"labels"`
				} `json:"rules"`
			} `json:"groups"`
		} `json:"data"`
	}
	if err := call("GET", r.uiURL("prometheus", 0)+"/api/v1/rules?type=alert", nil, &res); err != nil {
		return "", err
	}
	for _, g := range res.Data.Groups {
		for _, rl := range g.Rules {
			if rl.Name == alert && rl.Labels["environment"] == label {
				return rl.Query, nil
			}
		}
	}
	return "", fmt.Errorf("no rule %s for %s", alert, label)
}
