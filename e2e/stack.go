package e2e

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// slackOutage: while the Slack sink answers HTTP 500, an alert routed to
// Slack fails to be sent, AlertmanagerFailedToSendAlerts fires, and it
// arrives by e-mail, another integration than the failing one.
func (r *run) slackOutage(ctx context.Context) error {
	start := time.Now()
	r.sinks.FailSlack(http.StatusInternalServerError)
	defer r.sinks.FailSlack(0)
	env := r.model.Stack.Envs[sortedEnvs(r.model)[0]].Labels["environment"]
	if err := r.postAlert(map[string]string{"alertname": "E2ESlackOutage", "environment": env, "severity": "warning", "job": "e2e-slack"}); err != nil {
		return err
	}
	ops := r.model.Stack.Settings.Monitoring.Ops
	var fired, mailed time.Duration
	err := WaitFor(ctx, 90*time.Second, func() (bool, error) {
		if fired == 0 {
			if alerts, err := r.prometheusAlerts(); err == nil {
				for k, state := range alerts {
					if strings.HasPrefix(k, "AlertmanagerFailedToSendAlerts/") && state == "firing" {
						fired = time.Since(start)
					}
				}
			}
		}
		for _, n := range r.sinks.Got() {
			if n.At.After(start) && n.Sink == "email/"+ops.To && strings.Contains(n.Text, "AlertmanagerFailedToSendAlerts") && mailed == 0 {
				mailed = time.Since(start)
			}
		}
		return mailed > 0, fmt.Errorf("AlertmanagerFailedToSendAlerts firing after %s, e-mailed to %s after %s", fired, ops.To, mailed)
	})
	if err != nil {
		r.fail("Slack outage: %v", err)
		return nil
	}
	r.logf("Slack answers 500: AlertmanagerFailedToSendAlerts firing after %s, at %s by e-mail after %s", fired.Round(100*time.Millisecond), ops.To, mailed.Round(100*time.Millisecond))
	return nil
}

// alertmanagerDown: with Alertmanager stopped, Prometheus fails to send its
// alerts and raises PrometheusErrorSendingAlertsToAnyAlertmanager (or
// PrometheusNotConnectedToAlertmanagers). Nothing can deliver it, so the
// proof is Prometheus's alerts API; then Alertmanager starts again.
func (r *run) alertmanagerDown(ctx context.Context) error {
	start := time.Now()
	r.servers[r.alertmanagers[0]].Stop()
	var which string
	err := WaitFor(ctx, 90*time.Second, func() (bool, error) {
		alerts, err := r.prometheusAlerts()
		if err != nil {
			return false, err
		}
		for _, name := range []string{"PrometheusErrorSendingAlertsToAnyAlertmanager/", "PrometheusNotConnectedToAlertmanagers/"} {
			if alerts[name] == "firing" {
				which = strings.TrimSuffix(name, "/")
				return true, nil
			}
		}
		return false, fmt.Errorf("Prometheus has %v", alerts)
	})
	if err != nil {
		r.fail("Alertmanager down: %v", err)
	} else {
		r.logf("Alertmanager stopped: %s firing in Prometheus after %s", which, time.Since(start).Round(100*time.Millisecond))
	}
	if err := r.startAlertmanager(r.path("logs")); err != nil {
		return err
	}
	return WaitFor(ctx, 60*time.Second, func() (bool, error) { return r.get("http://" + r.addr(r.alertmanagers[0]) + "/-/ready") })
}

// heartbeatOnly: over the whole run, the heartbeat sink got Watchdog and
// nothing else.
func (r *run) heartbeatOnly(context.Context) error {
	beats := 0
	for _, n := range r.sinks.Got() {
		if n.Sink != r.heartbeatSink() {
			continue
		}
		if n.Text != "Watchdog" {
			r.fail("the heartbeat got %q", n.Text)
		}
		beats++
	}
	r.logf("heartbeat: %d Watchdog notifications over the run, nothing else", beats)
	return nil
}
