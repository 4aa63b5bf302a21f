package verify

import (
	"fmt"
	"maps"
	"net"
	"regexp"
	"slices"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// literalSecretVar is an environment variable that carries a credential
// itself; a server must read it from a file (NAME__FILE, NAME_FILE).
var literalSecretVar = regexp.MustCompile(`(PASSWORD|TOKEN|SECRET|_KEY)$`)

// checkExposure holds the compose projects, as Compose loads them, to
// settings.exposure: only the public services publish a port on every
// interface; no Caddy site proxies to a UI that does not authenticate its
// users itself (settings.exposure.authenticated); no service gets a
// credential as a literal environment value; and Grafana's admin password
// comes from a secret file, not its default.
func checkExposure(m *model.Model, files output.Files) model.Problems {
	s := m.Stack
	ex := s.Settings.Exposure
	var ps model.Problems
	for _, p := range composeProjects(m, files) {
		for _, name := range slices.Sorted(maps.Keys(p.Services)) {
			svc := p.Services[name]
			scope := fmt.Sprintf("stack: %s: service %s", p.Path, name)
			add := func(sub model.Path, msg string) {
				ps = append(ps, model.Problem{Pos: p.pos(m, sub, name), Also: []string{p.Path}, Scope: scope, Msg: msg})
			}
			for _, pc := range svc.Ports {
				if allInterfaces(pc.HostIP) && !slices.Contains(ex.Public, name) {
					add(model.PathComposeServicePorts, fmt.Sprintf("publishes port %s on every interface; only %v may (settings.exposure.public), publish it on %s", pc.Published, ex.Public, ex.HostIP))
				}
			}
			for _, k := range slices.Sorted(maps.Keys(svc.Environment)) {
				if literalSecretVar.MatchString(k) {
					add(model.PathComposeServiceEnv, fmt.Sprintf("environment %s is a literal credential; read it from a compose secret (%s__FILE)", k, k))
				}
			}
			// A service that replaces the image's entrypoint (a secrets
			// check) does not run Grafana.
			if strings.HasPrefix(svc.Image, "grafana/grafana:") && len(svc.Entrypoint) == 0 {
				f := svc.Environment["GF_SECURITY_ADMIN_PASSWORD__FILE"]
				if f == nil || !strings.HasPrefix(*f, s.Settings.Secrets.MountDir+"/") {
					add(model.PathComposeServiceEnv, "Grafana's admin password is not read from a compose secret (GF_SECURITY_ADMIN_PASSWORD__FILE under "+s.Settings.Secrets.MountDir+"): it would be the default admin/admin")
				}
			}
		}
	}
	for i, site := range s.Outputs.Caddyfile.Caddy.Sites {
		host, _, err := net.SplitHostPort(site.Upstream)
		if err != nil {
			continue
		}
		ui, isUI := s.Settings.Services[host]
		if _, auth := ex.Authenticated[host]; isUI && ui.ExternalURL != "" && !auth {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathCaddySiteUpstream.At(i)),
				Scope: "stack: Caddyfile site " + site.Address,
				Msg:   fmt.Sprintf("proxies the public site to %s, whose UI does not authenticate its users (settings.exposure.authenticated): anyone could use it", host)})
		}
	}
	return ps
}
