package verify

import (
	"maps"
	"slices"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
)

// checkK8sDashboards: every dashboard has a ConfigMap that holds its
// rendered JSON, under the API server's 1 MiB, with the label Grafana's
// sidecar loads.
func checkK8sDashboards(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	s := m.Stack
	file := s.Outputs.Kubernetes.Dashboards.Path
	var ps model.Problems
	add := func(cuePath model.Path, format string, args ...any) {
		ps = append(ps, k8sProblem(m, cuePath, file, format, args...))
	}
	byKey := map[string]k8sObject{}
	for _, cm := range set.dashboards {
		for key := range cm.Data {
			byKey[key] = cm
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Dashboards)) {
		cuePath := model.PathK8sDashboard.At(name)
		cm, ok := byKey[name+".json"]
		switch {
		case !ok:
			add(model.PathK8sDashboards, "dashboard %s has no ConfigMap with key %s.json", name, name)
		case cm.Data[name+".json"] != string(files[render.DashboardPath(s, name)]):
			add(cuePath, "ConfigMap %s does not hold the rendered dashboard %s", cm.Metadata.Name, render.DashboardPath(s, name))
		case len(cm.Data[name+".json"]) > 1<<20:
			add(cuePath, "ConfigMap %s is over the API server's 1 MiB limit", cm.Metadata.Name)
		default:
			for l, v := range s.Settings.Kubernetes.DashboardLabels {
				if cm.Metadata.Labels[l] != v {
					add(cuePath, "ConfigMap %s lacks the label %s=%q Grafana's sidecar loads", cm.Metadata.Name, l, v)
				}
			}
		}
	}
	return ps
}
