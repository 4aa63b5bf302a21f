package verify

import (
	"encoding/json"
	"fmt"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sPrometheus: the Prometheus's spec reads, it runs
// versions.prometheus, and it sends alerts to the Alertmanager's governing
// Service (the operator's, on its web port).
func checkK8sPrometheus(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	s := m.Stack
	k := s.Settings.Kubernetes
	file := s.Outputs.Kubernetes.Prometheus.Path
	var ps model.Problems
	add := func(cuePath model.Path, format string, args ...any) {
		ps = append(ps, k8sProblem(m, cuePath, file, format, args...))
	}
	var spec prometheusSpec
	if err := json.Unmarshal(set.prometheus.Spec, &spec); err != nil {
		add(model.PathK8sPrometheusObject, "spec does not read: %v", err)
		return ps
	}
	if spec.Version != s.Versions.Prometheus {
		add(model.PathK8sPrometheusVersion, "version %q is not versions.prometheus %q", spec.Version, s.Versions.Prometheus)
	}
	am := set.alertmanager
	for i, a := range spec.Alerting.Alertmanagers {
		if a.Namespace != am.Metadata.Namespace || a.Name != k.Operator.AlertmanagerService || fmt.Sprint(a.Port) != k.Operator.WebPort {
			add(model.PathK8sPrometheusAM.At(i),
				"alerts go to %s/%s port %v; the Alertmanager %s is reached through the operator's Service %s/%s port %s",
				a.Namespace, a.Name, a.Port, am.Metadata.Name, am.Metadata.Namespace, k.Operator.AlertmanagerService, k.Operator.WebPort)
		}
	}
	if len(spec.Alerting.Alertmanagers) == 0 {
		add(model.PathK8sPrometheusSpec, "sends alerts to no Alertmanager")
	}
	return ps
}
