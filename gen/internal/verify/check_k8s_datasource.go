package verify

import (
	"fmt"
	"path"

	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sDatasource: Grafana's datasource sidecar loads the datasource
// ConfigMap (its label), and the datasource it provisions is the one every
// dashboard names by uid.
func checkK8sDatasource(m *model.Model, files output.Files) model.Problems {
	d := m.Stack.Outputs.Kubernetes.Datasource
	k := m.Stack.Settings.Kubernetes
	prob := func(format string, args ...any) model.Problems {
		return model.Problems{{Pos: m.PosOf("", model.PathK8sDatasource), Also: []string{d.Path}, Scope: "stack: " + path.Base(d.Path), Msg: fmt.Sprintf(format, args...)}}
	}
	docs, err := k8sDocs(files[d.Path])
	if err != nil || len(docs) != 1 || docs[0].Kind != "ConfigMap" {
		return prob("does not hold one ConfigMap")
	}
	cm := docs[0]
	for l, v := range k.DatasourceLabels {
		if cm.Metadata.Labels[l] != v {
			return prob("ConfigMap %s lacks the label %s=%q Grafana's datasource sidecar loads", cm.Metadata.Name, l, v)
		}
	}
	var cfg model.GrafanaDatasources
	if err := yaml.Unmarshal([]byte(cm.Data[d.Key]), &cfg); err != nil {
		return prob("ConfigMap %s key %s does not read: %v", cm.Metadata.Name, d.Key, err)
	}
	uid := m.Stack.Settings.Grafana.Datasource.UID
	found := false
	for _, ds := range cfg.Datasources {
		found = found || ds.UID == uid
	}
	if !found {
		return prob("ConfigMap %s provisions no datasource with uid %q, which the dashboards use", cm.Metadata.Name, uid)
	}
	return nil
}
