package verify

import (
	"fmt"
	"path"

	"github.com/go-kit/log"
	promconfig "github.com/prometheus/prometheus/config"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkPrometheusConfig loads prometheus.yml with Prometheus 2.54.1's own
// config loader, then resolves every rule_files entry through the compose
// mounts to a generated file.
func checkPrometheusConfig(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Prometheus
	scope := "stack: " + path.Base(out.Path)
	cfg, err := promconfig.Load(string(files[out.Path]), false, log.NewNopLogger())
	if err != nil {
		return model.Problems{{Pos: m.PosOf("", model.PathPrometheusConfig), Also: []string{out.Path}, Scope: scope, Msg: rejects("Prometheus", prometheusModule) + err.Error()}}
	}
	var ps model.Problems
	mounts := model.ComposeMounts(m.Stack)
	for i, rf := range cfg.RuleFiles {
		// Prometheus reads a relative rule file from the config file's
		// directory (config.LoadFile calls SetDirectory with it).
		if !path.IsAbs(rf) {
			rf = path.Join(path.Dir(out.MountedAt.Path), rf)
		}
		host, ok := mounts.HostPath(out.MountedAt.Service, rf)
		switch {
		case !ok:
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathPrometheusRuleFile.At(i)), Scope: scope,
				Msg: fmt.Sprintf("rule file %s is not mounted into the prometheus service", rf)})
		case files[host] == nil:
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathPrometheusRuleFile.At(i)), Scope: scope,
				Msg: fmt.Sprintf("rule file %s is mounted from %s, which gen does not produce", rf, host)})
		}
	}
	return ps
}
