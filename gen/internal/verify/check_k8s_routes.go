package verify

import (
	"fmt"
	"maps"
	"path"
	"slices"

	amconfig "github.com/prometheus/alertmanager/config"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// checkK8sRoutes runs every routing and inhibition case on the
// configuration in the Kubernetes Secret, with the labels the alerts of the
// operator's Prometheus really carry: the case's labels, then the external
// labels and alert relabelling of the configuration prometheus-operator
// generates (tools/operatororacle), as Prometheus v2.54.1 applies them
// before sending (alertLabels). So the routing proofs hold for the alerts
// Alertmanager receives in the cluster.
func checkK8sRoutes(m *model.Model, files output.Files) model.Problems {
	t, _ := operatorTranslation(m, files, nil)
	if t == nil {
		return nil // checkK8sOperator reports why
	}
	return k8sRoutes(m, files, t)
}

// k8sRoutes is checkK8sRoutes on a translation.
func k8sRoutes(m *model.Model, files output.Files, t *translation) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil || set.configSecret == nil || !promql.AllRulesParse(m.Stack) {
		return nil // checkK8sObjects and checkK8sAlertmanager report why
	}
	k := m.Stack.Settings.Kubernetes
	cfg, err := amconfig.Load(set.configSecret.StringData[k.Operator.ConfigKey])
	if err != nil {
		return nil // checkK8sAlertmanager reports it
	}
	if t.configs == nil {
		return nil // checkK8sOperator reports why
	}
	return routes.RunCases(m, cfg, oracleSenders(t), path.Base(m.Stack.Outputs.Kubernetes.Alertmanager.Path))
}

// oracleSenders are the Prometheus pods of the operator's own translation,
// every discovery flavour and replica: their external labels and
// alert_relabel_configs, as the operator generates them.
func oracleSenders(t *translation) []routes.Sender {
	var out []routes.Sender
	for _, flavour := range slices.Sorted(maps.Keys(t.configs)) {
		for i, c := range t.configs[flavour] {
			out = append(out, routes.Sender{
				Name:           fmt.Sprintf("prometheus-operator (%s discovery) replica %d", flavour, i),
				ExternalLabels: c.GlobalConfig.ExternalLabels,
				Relabel:        c.AlertingConfig.AlertRelabelConfigs,
			})
		}
	}
	return out
}
