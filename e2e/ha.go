package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// haPhase runs the same model with settings.ha on: every Prometheus
// replica and every Alertmanager of the cluster, started from their compose
// services, on loopback, with the fake APIs and sinks of the first phase.
// It proves what the topology is for: an alert both replicas fire is
// notified once per receiver; a silence made on one Alertmanager holds on
// the others; with one Alertmanager killed, notifications still arrive,
// once.
func (r *run) haPhase(ctx context.Context) error {
	for _, p := range r.servers {
		p.Stop()
	}
	for _, a := range r.apis {
		a.SetFault(Healthy)
	}
	ha := &run{cfg: r.cfg, start: r.start, dir: r.path("ha"), ports: r.ports, bins: r.bins, apis: r.apis,
		sinks: r.sinks, servers: map[string]*Proc{}, ha: true}
	defer func() {
		for _, p := range ha.procs {
			p.Stop()
		}
	}()
	if err := ha.render(ctx); err != nil {
		return err
	}
	logs := ha.path("logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return err
	}
	if err := ha.startServers(logs); err != nil {
		return err
	}
	if err := ha.serversReady(ctx); err != nil {
		return err
	}
	r.logf("HA: %s and %s started from their compose services", strings.Join(ha.prometheuses, ", "), strings.Join(ha.alertmanagers, ", "))
	if err := ha.targetsUp(ctx); err != nil {
		return fmt.Errorf("HA: %w", err)
	}
	steps := []step{
		{"both replicas fire, each receiver is notified once", func(ctx context.Context) error { return ha.onceEach(ctx, Errors, "LMSHighErrorRate") }},
		{"a silence made on one Alertmanager holds on the others", ha.silenceEverywhere},
		{"with one Alertmanager killed, notifications still arrive once", ha.killOne},
	}
	if err := r.runSteps(ctx, "HA: ", steps); err != nil {
		return err
	}
	r.failures = append(r.failures, ha.failures...)
	return nil
}

// onceEach sets a fault on every API, waits until the alert fires in
// every Prometheus replica and reaches its receivers, then checks, a few
// group intervals later, that each receiver got it exactly once.
func (r *run) onceEach(ctx context.Context, fault Fault, alert string) error {
	start := time.Now()
	for _, a := range r.apis {
		a.SetFault(fault)
	}
	defer func() {
		for _, a := range r.apis {
			a.SetFault(Healthy)
		}
	}()
	firing := map[string]time.Duration{}
	err := WaitFor(ctx, 60*time.Second, func() (bool, error) {
		for _, p := range r.prometheuses {
			if _, seen := firing[p]; !seen && r.firingIn(p, alert) {
				firing[p] = time.Since(start)
			}
		}
		return len(firing) == len(r.prometheuses), fmt.Errorf("%s firing in %v", alert, firing)
	})
	if err != nil {
		return err
	}
	expected := r.expected()
	for _, n := range sortedEnvs(r.model) {
		env := r.model.Stack.Envs[n].Labels["environment"]
		want := expected[alert+"/"+env]
		if err := WaitFor(ctx, 30*time.Second, func() (bool, error) {
			got := r.reached(alert, env, start)
			return len(got) >= len(want), fmt.Errorf("reached %v, want %v", got, want)
		}); err != nil {
			return fmt.Errorf("env %s: %w", n, err)
		}
	}
	// Several group intervals (1s here): a duplicate would have come.
	time.Sleep(5 * time.Second)
	// The replicas' copies are one alert: the replica label is dropped.
	if n, err := r.alertsIn(r.alertmanagers[0], alert); err != nil || n != len(r.model.Stack.Envs) {
		r.fail("HA: %s holds %d %s alerts (%v), want one per environment (%d): the replicas' copies differ", r.alertmanagers[0], n, alert, err, len(r.model.Stack.Envs))
	}
	for _, n := range sortedEnvs(r.model) {
		env := r.model.Stack.Envs[n].Labels["environment"]
		got := r.deliveries(alert, env, start)
		r.logf("HA: env %s: %s firing in %v; notifications per receiver %v", n, alert, firing, got)
		for _, rc := range expected[alert+"/"+env] {
			if got[rc] != 1 {
				r.fail("HA: env %s: %s reached %s %d times, want once (all: %v)", n, alert, rc, got[rc], got)
			}
		}
		if len(got) != len(expected[alert+"/"+env]) {
			r.fail("HA: env %s: %s reached %v, want %v", n, alert, got, expected[alert+"/"+env])
		}
	}
	return nil
}

// firingIn tells whether alert fires in the Prometheus replica p.
func (r *run) firingIn(p, alert string) bool {
	resp, err := http.Get("http://" + r.addr(p) + "/api/v1/alerts")
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	var d struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if json.NewDecoder(resp.Body).Decode(&d) != nil {
		return false
	}
	for _, a := range d.Data.Alerts {
		if a.Labels["alertname"] == alert && a.State == "firing" {
			return true
		}
	}
	return false
}

// silenceEverywhere: a silence created on the first Alertmanager is active
// on every other one, by gossip, and mutes an alert sent to the last one.
func (r *run) silenceEverywhere(ctx context.Context) error {
	id, err := r.silence("E2EHASilenced")
	if err != nil {
		return err
	}
	start := time.Now()
	last := r.alertmanagers[len(r.alertmanagers)-1]
	err = WaitFor(ctx, 20*time.Second, func() (bool, error) {
		for _, am := range r.alertmanagers[1:] {
			if st, err := r.silenceStateOn(am, id); err != nil || st != "active" {
				return false, fmt.Errorf("%s: silence %s is %q (%v)", am, id, st, err)
			}
		}
		return true, nil
	})
	if err != nil {
		return err
	}
	r.logf("HA: silence %s made on %s, active on %v after %s", id, r.alertmanagers[0], r.alertmanagers[1:], time.Since(start).Round(10*time.Millisecond))
	env := r.model.Stack.Envs[sortedEnvs(r.model)[0]].Labels["environment"]
	if err := r.postAlertTo(last, map[string]string{"alertname": "E2EHASilenced", "environment": env, "severity": "warning", "job": "e2e-ha"}); err != nil {
		return err
	}
	time.Sleep(4 * time.Second)
	if n := r.delivered("E2EHASilenced"); n != 0 {
		r.fail("HA: an alert silenced on %s and sent to %s was notified %d times", r.alertmanagers[0], last, n)
	}
	return nil
}

// killOne kills one Alertmanager (SIGKILL: no goodbye to its peers), then
// a new fault must still reach each receiver exactly once.
func (r *run) killOne(ctx context.Context) error {
	victim := r.alertmanagers[1]
	r.servers[victim].Kill()
	r.logf("HA: %s killed", victim)
	return r.onceEach(ctx, Slow, "LMSHighP95Latency")
}

// alertsIn counts the alerts of a name an Alertmanager holds.
func (r *run) alertsIn(am, alert string) (int, error) {
	q := url.Values{"filter": {fmt.Sprintf("alertname=%q", alert)}}
	return countList("http://" + r.addr(am) + "/api/v2/alerts?" + q.Encode())
}
