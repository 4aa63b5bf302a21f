package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/klauspost/compress/zstd"

	"github.com/lms/lms-ops/e2e/fake"
	"github.com/lms/lms-ops/gen"
)

// fault is one seed alert and the fault of the fake API that causes it.
var faults = []struct {
	fault Fault
	alert string
}{
	{Errors, "LMSHighErrorRate"},
	{Slow, "LMSHighP95Latency"},
	{RateLimit, "LMSRateLimitSpike"},
	{Down, "LMSApiDown"}, // last: a target that is down has no data for the others
}

// promAPI decodes a Prometheus HTTP API answer's data.
func (r *run) promAPI(path string, data any) error {
	resp, err := http.Get("http://" + r.addr(r.prometheuses[0]) + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	var body struct {
		Status string          `json:"status"`
		Data   json.RawMessage `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return err
	}
	if body.Status != "success" {
		return fmt.Errorf("%s: status %s", path, body.Status)
	}
	return json.Unmarshal(body.Data, data)
}

// targetsUp waits until every scrape target is up.
func (r *run) targetsUp(ctx context.Context) error {
	return WaitFor(ctx, 60*time.Second, func() (bool, error) {
		var d struct {
			ActiveTargets []struct {
				Labels    map[string]string `json:"labels"`
				Health    string            `json:"health"`
				LastError string            `json:"lastError"`
			} `json:"activeTargets"`
		}
		if err := r.promAPI("/api/v1/targets", &d); err != nil {
			return false, err
		}
		targets := 0
		for _, j := range r.model.Stack.Outputs.Prometheus.Config.ScrapeConfigs {
			for _, sc := range j.StaticConfigs {
				targets += len(sc.Targets)
			}
		}
		if len(d.ActiveTargets) != targets {
			return false, fmt.Errorf("%d targets, want %d", len(d.ActiveTargets), targets)
		}
		for _, t := range d.ActiveTargets {
			if t.Health != "up" {
				return false, fmt.Errorf("job %s is %s: %s", t.Labels["job"], t.Health, t.LastError)
			}
		}
		return true, nil
	})
}

// firingAlerts returns the alerts Prometheus has, by "alertname/environment".
func (r *run) prometheusAlerts() (map[string]string, error) {
	var d struct {
		Alerts []struct {
			Labels map[string]string `json:"labels"`
			State  string            `json:"state"`
		} `json:"alerts"`
	}
	if err := r.promAPI("/api/v1/alerts", &d); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range d.Alerts {
		out[a.Labels["alertname"]+"/"+a.Labels["environment"]] = a.State
	}
	return out, nil
}

// healthy: with every API healthy for longer than any `for`, Prometheus has
// no alert and nothing reaches a receiver.
func (r *run) healthy(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(15 * time.Second):
	}
	alerts, err := r.prometheusAlerts()
	if err != nil {
		return err
	}
	delete(alerts, "Watchdog/")
	if len(alerts) > 0 {
		r.fail("healthy run: Prometheus has alerts %v", alerts)
	}
	beats := 0
	for _, n := range r.sinks.Got() {
		switch {
		case n.Sink == r.heartbeatSink() && n.Text == "Watchdog":
			beats++
		default:
			r.fail("healthy run: %s got %q", n.Sink, n.Text)
		}
	}
	r.logf("heartbeat: %d Watchdog notifications in %s (heartbeat repeat_interval %s), nothing else", beats,
		time.Since(r.start).Round(time.Second), r.model.Stack.Settings.Monitoring.Heartbeat.RepeatInterval)
	if beats < 2 {
		r.fail("healthy run: the heartbeat arrived %d times, want it repeatedly", beats)
	}
	return nil
}

// heartbeatSink is the sink the heartbeat receiver delivers to.
func (r *run) heartbeatSink() string {
	for _, rc := range r.model.Stack.Outputs.Alertmanager.Config.Receivers {
		for _, c := range rc.WebhookConfigs {
			return "webhook/" + filepath.Base(c.URLFile)
		}
	}
	return ""
}

// sinkReceivers maps each sink to the receivers that deliver to it.
func (r *run) sinkReceivers() map[string][]string {
	out := map[string][]string{}
	for _, rc := range r.model.Stack.Outputs.Alertmanager.Config.Receivers {
		for _, c := range rc.SlackConfigs {
			k := "slack/" + filepath.Base(c.APIURLFile)
			out[k] = append(out[k], rc.Name)
		}
		for _, c := range rc.PagerdutyConfigs {
			k := "pagerduty/e2e-" + filepath.Base(c.RoutingKeyFile)
			out[k] = append(out[k], rc.Name)
		}
		for _, c := range rc.EmailConfigs {
			k := "email/" + strings.ToLower(c.To)
			out[k] = append(out[k], rc.Name)
		}
	}
	return out
}

// reached returns the receivers that delivered a firing notification of
// alert in environment env after since.
func (r *run) reached(alert, env string, since time.Time) []string {
	return slices.Sorted(maps.Keys(r.deliveries(alert, env, since)))
}

// deliveries counts the firing notifications of an alert of env since a
// time, per receiver.
func (r *run) deliveries(alert, env string, since time.Time) map[string]int {
	recv := r.sinkReceivers()
	out := map[string]int{}
	for _, n := range r.sinks.Got() {
		if n.Firing && n.At.After(since) && strings.Contains(n.Text, alert) && strings.Contains(n.Text, env) {
			for _, rc := range recv[n.Sink] {
				out[rc]++
			}
		}
	}
	return out
}

// expected gives the receivers the policy says each alert of each
// environment must reach, by "alertname/environment".
func (r *run) expected() map[string][]string {
	out := map[string][]string{}
	for _, c := range gen.DeriveRouteCases(r.model.Stack) {
		want := append([]string{}, c.Receivers...)
		sort.Strings(want)
		out[c.Labels["alertname"]+"/"+c.Labels["environment"]] = want
	}
	return out
}

// faults: for each seed alert, every environment's API gets the fault that
// causes it; the alert must fire in each environment and reach exactly the
// receivers of the policy (staging never the pager).
func (r *run) faults(ctx context.Context) error {
	want := r.expected()
	for _, f := range faults {
		start := time.Now()
		for _, a := range r.apis {
			a.SetFault(f.fault)
		}
		r.logf("fault %s on every API", f.fault)
		for _, n := range sortedEnvs(r.model) {
			env := r.model.Stack.Envs[n].Labels["environment"]
			key := f.alert + "/" + env
			var fired time.Duration
			err := WaitFor(ctx, 60*time.Second, func() (bool, error) {
				alerts, err := r.prometheusAlerts()
				if err != nil {
					return false, err
				}
				if fired == 0 && alerts[key] == "firing" {
					fired = time.Since(start)
				}
				got := r.reached(f.alert, env, start)
				return slices.Equal(got, want[key]), fmt.Errorf("reached %v, want %v", got, want[key])
			})
			if err != nil {
				r.fail("env %s: alert %s did not arrive where the policy says: %v", n, f.alert, err)
				continue
			}
			r.logf("env %s: %s firing after %.1fs, at %v after %.1fs", n, f.alert, fired.Seconds(), want[key], time.Since(start).Seconds())
		}
		// Late extra deliveries (a pager for staging) count too.
		time.Sleep(3 * time.Second)
		for _, n := range sortedEnvs(r.model) {
			env := r.model.Stack.Envs[n].Labels["environment"]
			if got, w := r.reached(f.alert, env, start), want[f.alert+"/"+env]; !slices.Equal(got, w) {
				r.fail("env %s: alert %s reached %v, want exactly %v", n, f.alert, got, w)
			}
		}
	}
	paging := r.model.Stack.Settings.Alertmanager.Paging
	for _, n := range r.sinks.Got() {
		if !strings.HasPrefix(n.Sink, "pagerduty/") {
			continue
		}
		may := false
		for _, env := range paging.Environments {
			may = may || strings.Contains(n.Text, "["+env+"]")
		}
		if !may {
			r.fail("the pager got an alert of an environment that may not page (only %v may): %q", paging.Environments, n.Text)
		}
	}
	return nil
}

// inhibition: while LMSApiDown fires, a warning of the same job sent to the
// real Alertmanager is muted: Alertmanager marks it inhibited and nobody is
// notified.
func (r *run) inhibition(ctx context.Context) error {
	var labels map[string]string
	paging := r.model.Stack.Settings.Alertmanager.Paging
	for _, c := range gen.DeriveRouteCases(r.model.Stack) {
		if c.Labels["alertname"] == "LMSHighErrorRate" && paging.MayPage(c.Labels["environment"]) {
			labels = c.Labels
		}
	}
	if labels == nil {
		return fmt.Errorf("no LMSHighErrorRate alert of an environment that pages to send")
	}
	env := labels["environment"]
	posted := time.Now()
	body, _ := json.Marshal([]map[string]any{{
		"labels": labels, "startsAt": posted.Format(time.RFC3339), "endsAt": posted.Add(5 * time.Minute).Format(time.RFC3339),
	}})
	resp, err := http.Post("http://"+r.addr(r.alertmanagers[0])+"/api/v2/alerts", "application/json", bytes.NewReader(body))
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("post alert: %s", resp.Status)
	}
	err = WaitFor(ctx, 15*time.Second, func() (bool, error) {
		q := url.Values{"filter": {`alertname="LMSHighErrorRate"`, fmt.Sprintf("environment=%q", env)}}
		resp, err := http.Get("http://" + r.addr(r.alertmanagers[0]) + "/api/v2/alerts?" + q.Encode())
		if err != nil {
			return false, err
		}
		defer resp.Body.Close()
		var alerts []struct {
			Status struct {
				State       string   `json:"state"`
				InhibitedBy []string `json:"inhibitedBy"`
			} `json:"status"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&alerts); err != nil {
			return false, err
		}
		if len(alerts) == 0 {
			return false, fmt.Errorf("Alertmanager does not have the alert")
		}
		st := alerts[0].Status
		return st.State == "suppressed" && len(st.InhibitedBy) > 0, fmt.Errorf("state %s, inhibited by %v", st.State, st.InhibitedBy)
	})
	if err != nil {
		r.fail("%s LMSHighErrorRate is not inhibited by LMSApiDown: %v", env, err)
	}
	time.Sleep(3 * time.Second)
	if got := r.reached("LMSHighErrorRate", env, posted); len(got) > 0 {
		r.fail("an inhibited LMSHighErrorRate reached %v", got)
	}
	return nil
}

// siteURL is the public site through Caddy.
func (r *run) siteURL(path string) string {
	return fmt.Sprintf("https://localhost:%d%s", r.ports["caddy"], path)
}

// caddyClient trusts Caddy's internal CA and leaves compression alone.
func (r *run) caddyClient() *http.Client {
	pool := x509.NewCertPool()
	if pem, err := os.ReadFile(r.path("caddy-data", "caddy", "pki", "authorities", "local", "root.crt")); err == nil {
		pool.AppendCertsFromPEM(pem)
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DisableCompression: true,
		TLSClientConfig:    &tls.Config{RootCAs: pool},
	}}
}

// caddy: the site proxies to the API, answers zstd and gzip as asked
// (checked on the headers and the decoded bodies), and hides /metrics.
func (r *run) caddy(ctx context.Context) error {
	c := r.caddyClient()
	decoders := map[string]func(io.Reader) (io.Reader, error){
		"zstd": func(rd io.Reader) (io.Reader, error) { return zstd.NewReader(rd) },
		"gzip": func(rd io.Reader) (io.Reader, error) { return gzip.NewReader(rd) },
	}
	for _, enc := range []string{"zstd", "gzip"} {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, r.siteURL("/"), nil)
		req.Header.Set("Accept-Encoding", enc)
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		body, err := decodeBody(resp, decoders[enc])
		switch {
		case err != nil:
			r.fail("caddy %s: %v", enc, err)
		case resp.Header.Get("Content-Encoding") != enc:
			r.fail("caddy: Accept-Encoding %s got Content-Encoding %q", enc, resp.Header.Get("Content-Encoding"))
		case body != fake.PageBody:
			r.fail("caddy %s: the decoded body is not the API's page", enc)
		default:
			r.logf("caddy: %s, %s body decodes to the API's page", resp.Proto, enc)
		}
	}
	for _, p := range r.model.Stack.Outputs.Caddyfile.Caddy.Sites[0].PrivatePaths {
		for _, path := range []string{p, p + "/", p + "/x"} {
			resp, err := c.Get(r.siteURL(path))
			if err != nil {
				return err
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				r.fail("caddy exposes %s: %s", path, resp.Status)
			}
		}
	}
	return nil
}

// decodeBody reads and decodes a compressed response body.
func decodeBody(resp *http.Response, decode func(io.Reader) (io.Reader, error)) (string, error) {
	defer resp.Body.Close()
	rd, err := decode(resp.Body)
	if err != nil {
		return "", err
	}
	data, err := io.ReadAll(rd)
	return string(data), err
}

// AlertOf is the seed alert fault f causes.
func AlertOf(f Fault) string {
	for _, x := range faults {
		if x.fault == f {
			return x.alert
		}
	}
	return ""
}
