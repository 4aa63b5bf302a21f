package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/lms/lms-ops/e2e"
)

var client = &http.Client{Timeout: 10 * time.Second}

// call makes an HTTP request to a port published on the loopback.
func call(method, u string, body []byte, out any) error {
	req, err := http.NewRequest(method, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s: %s", method, u, resp.Status, strings.TrimSpace(string(data)))
	}
	if out != nil {
		return json.Unmarshal(data, out)
	}
	return nil
}

// hostAddr is where a service's container port is published on the host.
func (r *run) hostAddr(ctx context.Context, service, port string) (string, error) {
	out, err := r.compose(ctx, r.filesOf(service), "port", service, port)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(out), nil
}

// control sends a stand-in a command on its control port.
func (r *run) control(ctx context.Context, service, method, path string, body string) error {
	addr, err := r.hostAddr(ctx, service, controlPort)
	if err != nil {
		return err
	}
	return call(method, "http://"+addr+path, []byte(body), nil)
}

// notifications are what the sink container got so far.
func (r *run) notifications(ctx context.Context) ([]e2e.Notification, error) {
	addr, err := r.hostAddr(ctx, "sink", controlPort)
	if err != nil {
		return nil, err
	}
	var got []e2e.Notification
	return got, call("GET", "http://"+addr+"/got", nil, &got)
}

// firingCounts counts the firing notifications of alert per sink.
func firingCounts(got []e2e.Notification, alert string) map[string]int {
	n := map[string]int{}
	for _, g := range got {
		if g.Firing && strings.Contains(g.Text, alert) {
			n[g.Sink]++
		}
	}
	return n
}

// uiURL is the loopback address of a UI the compose file publishes
// (settings.services: host_port), plus the offset of an HA replica.
func (r *run) uiURL(service string, replica int) string {
	return fmt.Sprintf("http://127.0.0.1:%d", r.committed.Stack.Settings.Services[service].HostPort+replica)
}

// promAlerts are the alerts of a Prometheus, "name/environment" → state.
func (r *run) promAlerts(replica int) (map[string]string, error) {
	var res struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := call("GET", r.uiURL("prometheus", replica)+"/api/v1/alerts", nil, &res); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, a := range res.Data.Alerts {
		out[a.Labels["alertname"]+"/"+a.Labels["environment"]] = a.State
	}
	return out, nil
}

// seriesAt counts the series of query Prometheus returns at t.
func (r *run) seriesAt(query string, t time.Time) (int, error) {
	var res struct {
		Data struct {
			Result []json.RawMessage `json:"result"`
		} `json:"data"`
	}
	u := r.uiURL("prometheus", 0) + "/api/v1/query?query=" + url.QueryEscape(query) + fmt.Sprintf("&time=%d", t.Unix())
	err := call("GET", u, nil, &res)
	return len(res.Data.Result), err
}

// postAlert sends an alert to an Alertmanager as Prometheus does, valid
// for an hour.
func (r *run) postAlert(replica int, labels map[string]string) error {
	body, _ := json.Marshal([]map[string]any{{"labels": labels, "endsAt": time.Now().Add(time.Hour).Format(time.RFC3339)}})
	return call("POST", r.uiURL("alertmanager", replica)+"/api/v2/alerts", body, nil)
}

// silence silences alertname on an Alertmanager for an hour.
func (r *run) silence(replica int, alertname string) (string, error) {
	body, _ := json.Marshal(map[string]any{
		"matchers":  []map[string]any{{"name": "alertname", "value": alertname, "isRegex": false}},
		"startsAt":  time.Now().Format(time.RFC3339),
		"endsAt":    time.Now().Add(time.Hour).Format(time.RFC3339),
		"createdBy": "lms-ops engine", "comment": "engine phase",
	})
	var res struct {
		SilenceID string `json:"silenceID"`
	}
	return res.SilenceID, call("POST", r.uiURL("alertmanager", replica)+"/api/v2/silences", body, &res)
}

// silenceState is a silence's state on an Alertmanager.
func (r *run) silenceState(replica int, id string) (string, error) {
	var res struct {
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	return res.Status.State, call("GET", r.uiURL("alertmanager", replica)+"/api/v2/silence/"+id, nil, &res)
}

// waitNotified waits until alert reached at least one sink more often
// than in since (what the sinks had got before), then long enough for any
// duplicate to arrive, and returns the new notifications per sink.
func (r *run) waitNotified(ctx context.Context, alert string, since []e2e.Notification, timeout time.Duration) (map[string]int, error) {
	return r.waitNotifiedSettle(ctx, alert, since, timeout, settle)
}

// waitNotifiedSettle is waitNotified with how long to wait for duplicates.
func (r *run) waitNotifiedSettle(ctx context.Context, alert string, since []e2e.Notification, timeout, settle time.Duration) (map[string]int, error) {
	prior := firingCounts(since, alert)
	fresh := func() (map[string]int, error) {
		got, err := r.notifications(ctx)
		if err != nil {
			return nil, err
		}
		d := map[string]int{}
		for sink, n := range firingCounts(got, alert) {
			if n > prior[sink] {
				d[sink] = n - prior[sink]
			}
		}
		return d, nil
	}
	err := waitFor(ctx, timeout, func() (bool, error) {
		d, err := fresh()
		return len(d) > 0, fmt.Errorf("%s notified nowhere (%v)", alert, err)
	})
	if err != nil {
		return nil, err
	}
	// Several group intervals: a duplicate would be here by then.
	time.Sleep(settle)
	return fresh()
}

// settle is how long the run waits for a notification that must not come:
// many times the overlay's group_wait and group_interval (1s).
const settle = 8 * time.Second
