package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"

	"github.com/lms/lms-ops/gen"
)

// startAll starts the fake APIs, the sinks and the three servers, and waits
// until each answers.
func (r *run) startAll(ctx context.Context) error {
	for _, n := range sortedEnvs(r.model) {
		ln, err := r.listen("api-" + n)
		if err != nil {
			return err
		}
		if r.apis[n], err = StartFakeAPI(ln, r.model.Stack.Metrics); err != nil {
			return err
		}
	}
	httpLn, err := r.listen("sinks")
	if err != nil {
		return err
	}
	smtpLn, err := r.listen("smtp")
	if err != nil {
		return err
	}
	r.sinks = StartSinks(httpLn, smtpLn)
	// Grafana cannot run here (no Go module builds its server); a stand-in
	// answers its scrape so that its job is up, as on a real host.
	grafanaLn, err := r.listen("grafana")
	if err != nil {
		return err
	}
	r.grafana = &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		io.WriteString(w, "# TYPE grafana_stand_in gauge\ngrafana_stand_in 1\n")
	}), ReadHeaderTimeout: 5 * time.Second}
	go r.grafana.Serve(grafanaLn)
	logs := r.path("logs")
	if err := os.MkdirAll(logs, 0o755); err != nil {
		return err
	}
	if err := r.startServers(logs); err != nil {
		return err
	}
	if err := r.startCaddy(logs); err != nil {
		return err
	}
	if err := r.serversReady(ctx); err != nil {
		return err
	}
	return WaitFor(ctx, 30*time.Second, func() (bool, error) {
		resp, err := r.caddyClient().Get(r.siteURL("/"))
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, fmt.Errorf("caddy answers %s", resp.Status)
	})
}

// get reports whether url answers 200.
func (r *run) get(url string) (bool, error) {
	resp, err := http.Get(url)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, fmt.Errorf("%s answers %s", url, resp.Status)
}

func (r *run) startPrometheus(logs string) error {
	return r.startPrometheusNamed(r.prometheuses[0], logs)
}

func (r *run) startAlertmanager(logs string) error {
	return r.startAlertmanagerNamed(r.alertmanagers[0], logs)
}

func (r *run) startPrometheusNamed(name, logs string) error {
	return r.startServer(name, logs, "--web.listen-address="+r.addr(name))
}

// startAlertmanagerNamed starts one Alertmanager; in a cluster it also
// advertises its gossip address, since a loopback address is not one
// Alertmanager picks by itself.
func (r *run) startAlertmanagerNamed(name, logs string) error {
	listen := []string{"--web.listen-address=" + r.addr(name)}
	if r.ha {
		listen = append(listen, "--cluster.advertise-address="+r.addr(r.clusterPort(name)))
	}
	return r.startServer(name, logs, listen...)
}

// clusterPort names the reserved gossip port of an Alertmanager.
func (r *run) clusterPort(name string) string {
	return fmt.Sprintf("%s:%d", name, r.model.Stack.Settings.HA.Cluster.Port)
}

// startServer starts a server with its compose command (see serverArgs).
func (r *run) startServer(name, logs string, listen ...string) error {
	args, err := r.serverArgs(name, listen...)
	if err != nil {
		return err
	}
	svc, _ := r.composeService(name)
	var env []string
	for k, v := range svc.Environment {
		env = append(env, k+"="+v)
	}
	p, err := Start(name, r.bins[serverKind(r.model.Stack, name)], r.dir, logs, env, args...)
	if err == nil {
		r.procs = append(r.procs, p)
		r.servers[name] = p
	}
	return err
}

// startCaddy adapts the generated Caddyfile with Caddy itself, then changes
// only what a laptop needs: listen on loopback, no HTTP redirect listener,
// an admin endpoint of its own, and no installation of the internal CA into
// the machine's trust store; the site block is the generated one.
func (r *run) startCaddy(logs string) error {
	env := r.caddyEnv()
	caddyfile, err := r.hostPath("caddy", r.model.Stack.Settings.Caddy.ConfigPath)
	if err != nil {
		return err
	}
	adapt := exec.Command(r.bins["caddy"], "adapt", "--config", caddyfile, "--adapter", "caddyfile")
	adapt.Env = append(os.Environ(), env...)
	out, err := adapt.Output()
	if err != nil {
		return fmt.Errorf("caddy adapt: %w", err)
	}
	var cfg map[string]any
	if err := json.Unmarshal(out, &cfg); err != nil {
		return fmt.Errorf("caddy adapt output: %w", err)
	}
	if err := r.laptopCaddy(cfg); err != nil {
		return err
	}
	data, err := json.MarshalIndent(cfg, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(r.path("config", "caddy.json"), data, 0o644); err != nil {
		return err
	}
	p, err := Start("caddy", r.bins["caddy"], r.dir, logs, env, "run", "--config", r.path("config", "caddy.json"))
	if err == nil {
		r.procs = append(r.procs, p)
	}
	return err
}

// caddyEnv gives Caddy its placeholders and keeps its state in the run.
func (r *run) caddyEnv() []string {
	c := r.model.Stack.Settings.Caddy
	return []string{
		c.Env["domain"] + "=localhost:" + strconv.Itoa(r.ports["caddy"]),
		c.Env["email"] + "=" + c.Examples[c.Env["email"]],
		"XDG_DATA_HOME=" + r.path("caddy-data"),
		"XDG_CONFIG_HOME=" + r.path("caddy-config"),
		"HOME=" + r.dir,
	}
}

// laptopCaddy edits the adapted JSON config in place.
func (r *run) laptopCaddy(cfg map[string]any) error {
	cfg["admin"] = map[string]any{"listen": r.addr("caddy-admin")}
	apps, _ := cfg["apps"].(map[string]any)
	httpApp, _ := apps["http"].(map[string]any)
	servers, _ := httpApp["servers"].(map[string]any)
	if len(servers) == 0 {
		return fmt.Errorf("the adapted Caddyfile has no HTTP server")
	}
	httpApp["http_port"] = r.ports["caddy-http"]
	httpApp["https_port"] = r.ports["caddy"]
	metrics := fmt.Sprintf(":%d", r.model.Stack.Settings.Services["caddy"].MetricsPort)
	for _, s := range servers {
		srv := s.(map[string]any)
		listen, _ := srv["listen"].([]any)
		if len(listen) == 1 && listen[0] == metrics {
			srv["listen"] = []string{r.addr("caddy-metrics")} // the internal metrics listener
			continue
		}
		srv["listen"] = []string{r.addr("caddy")}
		srv["automatic_https"] = map[string]any{"disable_redirects": true}
	}
	apps["pki"] = map[string]any{"certificate_authorities": map[string]any{"local": map[string]any{"install_trust": false}}}
	return nil
}

// startServers starts every Alertmanager, then every Prometheus.
func (r *run) startServers(logs string) error {
	for _, am := range r.alertmanagers {
		if err := r.startAlertmanagerNamed(am, logs); err != nil {
			return err
		}
	}
	for _, p := range r.prometheuses {
		if err := r.startPrometheusNamed(p, logs); err != nil {
			return err
		}
	}
	return nil
}

// serversReady waits until every Prometheus and Alertmanager is ready.
func (r *run) serversReady(ctx context.Context) error {
	for _, name := range append(append([]string{}, r.alertmanagers...), r.prometheuses...) {
		url := "http://" + r.addr(name) + "/-/ready"
		if err := WaitFor(ctx, 30*time.Second, func() (bool, error) { return r.get(url) }); err != nil {
			return fmt.Errorf("%s is not ready: %w", name, err)
		}
	}
	return nil
}

// serverKind is the binary a compose service runs: "prometheus" or
// "alertmanager", from its image.
func serverKind(s *gen.Stack, service string) string {
	image := s.ComposeServices()[service].Image
	switch {
	case strings.HasPrefix(image, "prom/prometheus:"):
		return "prometheus"
	case strings.HasPrefix(image, "prom/alertmanager:"):
		return "alertmanager"
	}
	return service
}
