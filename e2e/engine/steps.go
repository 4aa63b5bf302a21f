package engine

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"os"
	"slices"
	"strings"
	"time"
)

// prodFirst: the prod file joins the observability file's network, which
// it declares external; started first, Compose refuses it and names the
// network (the README gives the order).
func (r *run) prodFirst(ctx context.Context) error {
	net := r.committed.Stack.Settings.Monitoring.Network
	_, err := r.compose(ctx, r.prodFiles, "up", "-d")
	if err == nil {
		return fmt.Errorf("the prod file came up without the observability file's network %s", net)
	}
	if !strings.Contains(err.Error(), net) || !strings.Contains(err.Error(), "external") {
		return fmt.Errorf("the prod file failed, but not on its external network %s: %v", net, err)
	}
	r.compose(ctx, r.prodFiles, "down")
	r.logf("refused: %s", lastLine(err.Error(), net))
	return nil
}

func lastLine(s, want string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, want) && strings.Contains(l, "external") {
			return strings.TrimSpace(l)
		}
	}
	return s
}

// up starts the observability file (with the test's override), then the
// prod file, and waits for every service.
func (r *run) up(ctx context.Context) error {
	if err := r.upObs(ctx); err != nil {
		return err
	}
	t := time.Now()
	if _, err := r.compose(ctx, r.prodFiles, "up", "-d"); err != nil {
		return err
	}
	if err := r.waitServices(ctx, r.prodFiles); err != nil {
		return err
	}
	r.logf("prod file up in %s", time.Since(t).Round(100*time.Millisecond))
	return nil
}

// upObs starts the observability project and waits until every service
// with a healthcheck is healthy, every other one is running, and every
// one-shot check has exited 0.
func (r *run) upObs(ctx context.Context) error {
	t := time.Now()
	if _, err := r.compose(ctx, r.obsFiles, "up", "-d"); err != nil {
		return err
	}
	if err := r.waitServices(ctx, r.obsFiles); err != nil {
		return err
	}
	r.logf("observability file up, every service healthy, in %s", time.Since(t).Round(100*time.Millisecond))
	return nil
}

// state is a container's state as Docker reports it.
type state struct {
	Service, Status, Health string
	ExitCode, Restarts      int
	ID                      string
}

// states are the states of the project's containers in files.
func (r *run) states(ctx context.Context, files []string) (map[string]state, error) {
	out, err := r.compose(ctx, files, "ps", "-a", "-q")
	if err != nil {
		return nil, err
	}
	ids := strings.Fields(out)
	if len(ids) == 0 {
		return map[string]state{}, nil
	}
	out, err = docker(ctx, append([]string{"inspect"}, ids...)...)
	if err != nil {
		return nil, err
	}
	var inspected []struct {
		ID     string `json:"Id"`
		Config struct {
			Labels map[string]string
		}
		State struct {
			Status   string
			ExitCode int
			Health   *struct{ Status string }
		}
		RestartCount int
	}
	if err := json.Unmarshal([]byte(out), &inspected); err != nil {
		return nil, err
	}
	states := map[string]state{}
	for _, c := range inspected {
		s := state{Service: c.Config.Labels["com.docker.compose.service"], Status: c.State.Status, ExitCode: c.State.ExitCode, Restarts: c.RestartCount, ID: c.ID}
		if c.State.Health != nil {
			s.Health = c.State.Health.Status
		}
		states[s.Service] = s
	}
	return states, nil
}

// waitServices waits until every service of files is where it should be.
func (r *run) waitServices(ctx context.Context, files []string) error {
	return waitFor(ctx, 4*time.Minute, func() (bool, error) {
		states, err := r.states(ctx, files)
		if err != nil {
			return false, err
		}
		var waiting []string
		for _, name := range slices.Sorted(maps.Keys(states)) {
			s := states[name]
			switch {
			case s.Status == "exited" && s.ExitCode == 0 && strings.HasSuffix(name, r.checkSuffix()):
			case s.Status == "exited":
				return false, fmt.Errorf("%s exited with %d", name, s.ExitCode)
			case s.Health != "" && s.Health != "healthy", s.Status != "running":
				waiting = append(waiting, fmt.Sprintf("%s %s %s", name, s.Status, s.Health))
			}
		}
		return len(waiting) == 0 && len(states) > 0, fmt.Errorf("waiting for %v", waiting)
	})
}

// doors checks every published port as the engine bound it: the compose
// files' own mappings, the loopback for every service that is not public
// (settings.exposure), and Caddy's metrics port not published at all.
func (r *run) doors(ctx context.Context) error {
	ex := r.model.Stack.Settings.Exposure
	listeners, err := hostListeners()
	if err != nil {
		return err
	}
	var seen []string
	for _, name := range slices.Sorted(maps.Keys(r.model.Stack.ComposeServices())) {
		svc := r.model.Stack.ComposeServices()[name]
		for _, p := range svc.Ports {
			_, hostPort, containerPort, proto := splitMapping(string(p))
			out, err := r.compose(ctx, r.filesOf(name), "port", "--protocol", proto, name, containerPort)
			if err != nil {
				return err
			}
			bound := strings.TrimSpace(out)
			public := slices.Contains(ex.Public, name)
			switch {
			case public && !strings.HasPrefix(bound, "0.0.0.0:"):
				r.fail("%s %s/%s is bound to %s, want every interface", name, containerPort, proto, bound)
			case !public && bound != ex.HostIP+":"+hostPort:
				r.fail("%s %s/%s is bound to %s, want %s:%s only", name, containerPort, proto, bound, ex.HostIP, hostPort)
			}
			if proto == "tcp" {
				if addrs := listeners[hostPort]; !public && slices.ContainsFunc(addrs, func(a string) bool { return a != ex.HostIP }) {
					r.fail("%s: host port %s listens on %v, want %s only", name, hostPort, addrs, ex.HostIP)
				}
			}
			seen = append(seen, fmt.Sprintf("%s %s/%s→%s", name, containerPort, proto, bound))
		}
	}
	metrics := fmt.Sprint(r.model.Stack.Settings.Services["caddy"].MetricsPort)
	if out, err := r.compose(ctx, r.filesOf("caddy"), "port", "caddy", metrics); err == nil && strings.TrimSpace(out) != "" {
		r.fail("Caddy's metrics port %s is published at %s", metrics, strings.TrimSpace(out))
	}
	r.logf("bound: %s; caddy %s not published", strings.Join(seen, ", "), metrics)
	return nil
}

// splitMapping splits a compose short port mapping.
func splitMapping(m string) (hostIP, hostPort, containerPort, proto string) {
	proto = "tcp"
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m, proto = m[:i], m[i+1:]
	}
	f := strings.Split(m, ":")
	containerPort, hostPort = f[len(f)-1], f[len(f)-2]
	if len(f) == 3 {
		hostIP = f[0]
	}
	return
}

// hostListeners maps each listening TCP port of the host to the addresses
// it listens on (/proc/net/tcp and tcp6: Docker's userland proxy listens
// where a port is published).
func hostListeners() (map[string][]string, error) {
	out := map[string][]string{}
	for _, f := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		for _, l := range strings.Split(string(data), "\n")[1:] {
			fs := strings.Fields(l)
			if len(fs) < 4 || fs[3] != "0A" { // LISTEN
				continue
			}
			ip, port := procAddr(fs[1])
			out[port] = append(out[port], ip)
		}
	}
	return out, nil
}

// procAddr decodes a /proc/net/tcp address (hex, little-endian words).
func procAddr(s string) (ip, port string) {
	h, p, _ := strings.Cut(s, ":")
	var n uint64
	fmt.Sscanf(p, "%X", &n)
	port = fmt.Sprint(n)
	switch h {
	case "0100007F":
		return "127.0.0.1", port
	case "00000000", "00000000000000000000000000000000":
		return "0.0.0.0", port
	case "00000000000000000000000001000000":
		return "::1", port
	}
	return h, port
}

// caddy fetches the public site through Caddy over HTTPS, trusting only
// Caddy's own internal CA (read from its data volume), with each encoding.
func (r *run) caddy(ctx context.Context) error {
	ca, err := r.compose(ctx, r.prodFiles, "exec", "-T", "caddy", "cat", r.model.Stack.Settings.Caddy.DataDir+"/caddy/pki/authorities/local/root.crt")
	if err != nil {
		return err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(ca)) {
		return fmt.Errorf("Caddy's root certificate: not PEM")
	}
	c := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: "localhost"}, DisableCompression: true}}
	get := func(path, enc string) (*http.Response, error) {
		req, _ := http.NewRequest("GET", "https://localhost:443"+path, nil)
		req.Header.Set("Accept-Encoding", enc)
		return c.Do(req)
	}
	err = waitFor(ctx, time.Minute, func() (bool, error) {
		resp, err := get("/", "identity")
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == 200, fmt.Errorf("GET /: %s", resp.Status)
	})
	if err != nil {
		return err
	}
	for _, enc := range []string{"zstd", "gzip"} {
		resp, err := get("/", enc)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Encoding"); got != enc {
			r.fail("Caddy answered Accept-Encoding %s with Content-Encoding %q", enc, got)
		}
	}
	resp, err := get("/metrics", "identity")
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		r.fail("https://localhost/metrics answered %s, want 404", resp.Status)
	}
	r.logf("https://localhost/ verified against Caddy's internal CA; zstd, gzip; /metrics 404")
	return nil
}
