package verify

import (
	"fmt"
	"maps"
	"path"
	"slices"
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
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathOutputMountedAt.At(o.key)), Scope: "stack: " + path.Base(o.Path),
				Msg: fmt.Sprintf("service %s reads it at %s, but no compose mount puts %s there (got %q)", o.MountedAt.Service, o.MountedAt.Path, o.Path, host)})
		}
	}
	ps = append(ps, dashboardMounts(m, ms)...)
	am := m.Stack.Outputs.Alertmanager
	for _, f := range secretFiles(am.Config) {
		if host, ok := ms.HostPath(am.MountedAt.Service, f); !ok || !strings.HasPrefix(host, secretDir) {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathSettingsAlertmanagerSecrets), Scope: "stack: " + path.Base(am.Path),
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
				ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathGrafanaDashboardProviderPath.At(i)),
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
