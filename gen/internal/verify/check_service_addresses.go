package verify

import (
	"fmt"
	"net"
	"net/url"
	"strconv"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkServiceAddresses: every service address a config names is a compose
// service listening on that port. A service the generated compose files do
// not define must be declared in settings.services (the API, which the
// application's own compose file runs). host.docker.internal needs the
// extra_hosts entry that makes it resolve on Linux.
func checkServiceAddresses(m *model.Model, _ output.Files) model.Problems {
	s := m.Stack
	type ref struct {
		from, addr, client string
		cuePath            model.Path
	}
	var refs []ref
	prom := s.Outputs.Prometheus
	for i, am := range prom.Config.Alerting.Alertmanagers {
		for j, sc := range am.StaticConfigs {
			for k, t := range sc.Targets {
				refs = append(refs, ref{"prometheus.yml alerting", t, prom.MountedAt.Service,
					model.PathPrometheusAMTarget.At(i, j, k)})
			}
		}
	}
	for i, j := range prom.Config.ScrapeConfigs {
		for k, sc := range j.StaticConfigs {
			for l, t := range sc.Targets {
				refs = append(refs, ref{"prometheus.yml job " + j.JobName, t, prom.MountedAt.Service,
					model.PathPrometheusJobTarget.At(i, k, l)})
			}
		}
	}
	for i, d := range s.Outputs.GrafanaDatasources.Config.Datasources {
		if u, err := url.Parse(d.URL); err == nil {
			refs = append(refs, ref{"datasource " + d.Name, u.Host, s.Outputs.GrafanaDatasources.MountedAt.Service,
				model.PathGrafanaDatasourceURL.At(i)})
		}
	}
	for i, site := range s.Outputs.Caddyfile.Caddy.Sites {
		if site.Upstream == "" {
			continue // the metrics listener proxies nothing
		}
		refs = append(refs, ref{"Caddyfile site " + site.Address, site.Upstream, s.Outputs.Caddyfile.MountedAt.Service,
			model.PathCaddySiteUpstream.At(i)})
	}
	var ps model.Problems
	for _, r := range refs {
		if msg := serviceProblem(s, r.addr, r.client); msg != "" {
			ps = append(ps, model.Problem{Pos: m.PosOf("", r.cuePath), Scope: "stack: " + r.from, Msg: msg})
		}
	}
	return ps
}

// serviceProblem explains why addr is not reachable from service client, or
// returns "".
func serviceProblem(s *model.Stack, addr, client string) string {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Sprintf("address %q is not host:port", addr)
	}
	port, _ := strconv.Atoi(portStr)
	services := s.ComposeServices()
	switch host {
	case "localhost", "127.0.0.1":
		return ""
	case "host.docker.internal":
		for _, h := range services[client].ExtraHosts {
			if strings.HasPrefix(h, "host.docker.internal:") {
				return ""
			}
		}
		return fmt.Sprintf("%s: service %s has no extra_hosts entry for host.docker.internal", addr, client)
	}
	declared, isDeclared := s.Settings.Services[host]
	svc, inCompose := services[host]
	switch {
	case !inCompose && !isDeclared:
		return fmt.Sprintf("%s: no compose service %q, and settings.services does not declare it", addr, host)
	case isDeclared && declared.Port != 0 && declared.Port != port:
		return fmt.Sprintf("%s: service %s listens on %d (settings.services.%s.port)", addr, host, declared.Port, host)
	case inCompose && len(svc.Ports) > 0 && !publishes(svc, port) && !(isDeclared && declared.MetricsPort == port):
		return fmt.Sprintf("%s: compose service %s does not listen on port %d (ports %v)", addr, host, port, svc.Ports)
	}
	return ""
}

// publishes reports whether a service's port mappings have container port p.
func publishes(svc model.ComposeService, p int) bool {
	for _, m := range svc.Ports {
		parts := strings.Split(string(m), ":")
		if parts[len(parts)-1] == strconv.Itoa(p) {
			return true
		}
	}
	return false
}
