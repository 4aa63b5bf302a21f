package verify

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// composeSenders are the Prometheus services of the compose files, as
// Compose loads them: every service that mounts the rendered
// prometheus.yml where Prometheus reads it, with its environment (HA
// replicas name themselves there). nil when prometheus.yml or the compose
// files do not load; their own checks report why.
func composeSenders(m *model.Model, files output.Files) []routes.Sender {
	s := m.Stack
	ms := model.ComposeMounts(s)
	env := map[string]map[string]string{}
	for _, p := range composeProjects(m, files) {
		for name, svc := range p.Services {
			if host, ok := ms.HostPath(name, s.Settings.Prometheus.ConfigPath); !ok || host != s.Outputs.Prometheus.Path {
				continue
			}
			env[name] = map[string]string{}
			for k, v := range svc.Environment {
				if v != nil {
					env[name][k] = *v
				}
			}
		}
	}
	if len(env) == 0 {
		return nil
	}
	senders, err := routes.ComposeSenders(files[s.Outputs.Prometheus.Path], env)
	if err != nil {
		return nil // checkPrometheusConfig reports it
	}
	return senders
}

// checkDeliveredOnce: every alert the rules raise reaches Alertmanager, and
// as one alert whichever Prometheus sends it, in every topology gen
// renders (compose, single or HA; Kubernetes): the replicas' external
// labels and alert_relabel_configs, applied with Prometheus's relabel
// package, give every replica's copy the same labels, so Alertmanager
// de-duplicates them and notifies once.
func checkDeliveredOnce(m *model.Model, files output.Files) model.Problems {
	if !promql.AllRulesParse(m.Stack) {
		return nil
	}
	topologies := map[string][]routes.Sender{"compose": composeSenders(m, files)}
	// The Kubernetes topology's senders are the pods of prometheus-operator's
	// own translation (checkK8sOperator reports when there is none).
	if t, _ := operatorTranslation(m, files, nil); t != nil && t.configs != nil {
		topologies["kubernetes"] = oracleSenders(t)
	}
	art := path.Base(m.Stack.Outputs.Prometheus.Path)
	var ps model.Problems
	for _, topo := range slices.Sorted(maps.Keys(topologies)) {
		senders := topologies[topo]
		if len(senders) == 0 {
			continue
		}
		for _, a := range promql.RealAlerts(m.Stack) {
			ls := map[string]string{}
			for k, v := range a.Labels {
				ls[string(k)] = string(v)
			}
			if why := routes.Deliver(senders, ls).Once(); why != "" {
				ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathPrometheusConfig), Scope: a.Scope(art),
					Msg: fmt.Sprintf("in the %s topology, %s", topo, why)})
			}
		}
	}
	return ps
}
