package verify

import (
	"fmt"
	"maps"
	"net"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
)

// namedOutput is a config file output with its CUE field name.
type namedOutput struct {
	key string
	model.Output
}

// configs lists every generated config file with its mount.
func configs(o model.Outputs) []namedOutput {
	return []namedOutput{{"caddyfile", o.Caddyfile.Output}, {"prometheus", o.Prometheus.Output},
		{"alerts", o.Alerts.Output}, {"alertmanager", o.Alertmanager.Output},
		{"grafanaDatasources", o.GrafanaDatasources.Output}, {"grafanaDashboardProviders", o.GrafanaDashboardProviders.Output}}
}

// checkMounts: every bind mount of the compose files points at a file or
// folder gen produces, or at a secret file; every config file is mounted
// where its server reads it; every secret file Alertmanager reads is
// mounted into the Alertmanager service.
func checkMounts(m *model.Model, files output.Files) model.Problems {
	var ps model.Problems
	secretDir := m.Stack.Settings.Secrets.HostDir + "/"
	ms := model.ComposeMounts(m.Stack)
	for _, mt := range ms {
		scope := fmt.Sprintf("stack: %s: service %s", mt.File, mt.Service)
		switch {
		case mt.Secret && !strings.HasPrefix(mt.Host, secretDir):
			ps = append(ps, model.Problem{Pos: mt.File, Scope: scope, Msg: fmt.Sprintf("secret %s is not read from ./%s (settings.secrets.host_dir, the documented, git-ignored secret folder)", mt.Container, secretDir)})
		case !mt.Secret && !producedFileOrDir(files, mt.Host):
			ps = append(ps, model.Problem{Pos: mt.File, Scope: scope, Msg: fmt.Sprintf("mounts ./%s, which gen does not produce", mt.Host)})
		}
	}
	for _, o := range configs(m.Stack.Outputs) {
		host, ok := ms.HostPath(o.MountedAt.Service, o.MountedAt.Path)
		if !ok || host != o.Path {
			ps = append(ps, model.Problem{Pos: m.PosOf("", "outputs."+o.key+".mounted_at"), Scope: "stack: " + path.Base(o.Path),
				Msg: fmt.Sprintf("service %s reads it at %s, but no compose mount puts %s there (got %q)", o.MountedAt.Service, o.MountedAt.Path, o.Path, host)})
		}
	}
	ps = append(ps, dashboardMounts(m, ms)...)
	am := m.Stack.Outputs.Alertmanager
	for _, f := range secretFiles(am.Config) {
		if host, ok := ms.HostPath(am.MountedAt.Service, f); !ok || !strings.HasPrefix(host, secretDir) {
			ps = append(ps, model.Problem{Pos: m.PosOf("", "settings.alertmanager.secrets"), Scope: "stack: " + path.Base(am.Path),
				Msg: fmt.Sprintf("reads secret %s, which is not a compose secret of service %s", f, am.MountedAt.Service)})
		}
	}
	return ps
}

// dashboardMounts: Grafana's dashboard provider reads its options.path,
// which must be mounted from the folder holding the generated dashboards.
func dashboardMounts(m *model.Model, ms model.Mounts) model.Problems {
	s := m.Stack
	svc := s.Outputs.GrafanaDashboardProviders.MountedAt.Service
	var ps model.Problems
	for i, p := range s.Outputs.GrafanaDashboardProviders.Config.Providers {
		for _, name := range slices.Sorted(maps.Keys(s.Dashboards)) {
			want := render.DashboardPath(s, name)
			got, ok := ms.HostPath(svc, path.Join(p.Options.Path, path.Base(want)))
			if !ok || got != want {
				ps = append(ps, model.Problem{Pos: m.PosOf("", fmt.Sprintf("outputs.grafanaDashboardProviders.config.providers[%d].options.path", i)),
					Scope: fmt.Sprintf("stack: %s: provider %q", path.Base(s.Outputs.GrafanaDashboardProviders.Path), p.Name),
					Msg:   fmt.Sprintf("reads dashboards from %s, but service %s does not see %s there (got %q)", p.Options.Path, svc, want, got)})
			}
		}
	}
	return ps
}

// producedFileOrDir reports whether p is a rendered file or a folder
// holding one.
func producedFileOrDir(files output.Files, p string) bool {
	if files[p] != nil {
		return true
	}
	for f := range files {
		if strings.HasPrefix(f, p+"/") {
			return true
		}
	}
	return false
}

// secretFiles lists every *_file path of the Alertmanager config.
func secretFiles(c model.AlertmanagerConfig) []string {
	var out []string
	if c.Global.SMTPAuthPasswordFile != "" {
		out = append(out, c.Global.SMTPAuthPasswordFile)
	}
	for _, r := range c.Receivers {
		for _, s := range r.SlackConfigs {
			out = append(out, s.APIURLFile)
		}
		for _, p := range r.PagerdutyConfigs {
			out = append(out, p.RoutingKeyFile)
		}
		for _, w := range r.WebhookConfigs {
			out = append(out, w.URLFile)
		}
	}
	return out
}

// checkServiceAddresses: every service address a config names is a compose
// service listening on that port. A service the generated compose files do
// not define must be declared in settings.services (the API, which the
// application's own compose file runs). host.docker.internal needs the
// extra_hosts entry that makes it resolve on Linux.
func checkServiceAddresses(m *model.Model, _ output.Files) model.Problems {
	s := m.Stack
	type ref struct{ from, addr, client, cuePath string }
	var refs []ref
	prom := s.Outputs.Prometheus
	for i, am := range prom.Config.Alerting.Alertmanagers {
		for j, sc := range am.StaticConfigs {
			for k, t := range sc.Targets {
				refs = append(refs, ref{"prometheus.yml alerting", t, prom.MountedAt.Service,
					fmt.Sprintf("outputs.prometheus.config.alerting.alertmanagers[%d].static_configs[%d].targets[%d]", i, j, k)})
			}
		}
	}
	for i, j := range prom.Config.ScrapeConfigs {
		for k, sc := range j.StaticConfigs {
			for l, t := range sc.Targets {
				refs = append(refs, ref{"prometheus.yml job " + j.JobName, t, prom.MountedAt.Service,
					fmt.Sprintf("outputs.prometheus.config.scrape_configs[%d].static_configs[%d].targets[%d]", i, k, l)})
			}
		}
	}
	for i, d := range s.Outputs.GrafanaDatasources.Config.Datasources {
		if u, err := url.Parse(d.URL); err == nil {
			refs = append(refs, ref{"datasource " + d.Name, u.Host, s.Outputs.GrafanaDatasources.MountedAt.Service,
				fmt.Sprintf("outputs.grafanaDatasources.config.datasources[%d].url", i)})
		}
	}
	for i, site := range s.Outputs.Caddyfile.Caddy.Sites {
		if site.Upstream == "" {
			continue // the metrics listener proxies nothing
		}
		refs = append(refs, ref{"Caddyfile site " + site.Address, site.Upstream, s.Outputs.Caddyfile.MountedAt.Service,
			fmt.Sprintf("outputs.caddyfile.caddy.sites[%d].upstream", i)})
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
