package routes

import (
	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// LoadAlertmanager parses the rendered alertmanager.yml with Alertmanager's
// loader; checkAlertmanagerConfig reports a failure, the others skip.
func LoadAlertmanager(m *model.Model, files output.Files) *amconfig.Config {
	cfg, err := amconfig.Load(string(files[m.Stack.Outputs.Alertmanager.Path]))
	if err != nil {
		return nil
	}
	return cfg
}

// RouteReceivers returns the receivers an alert with labels ls reaches in
// the routing tree of cfg, and the route path of each, using
// Alertmanager's own matching (continue, nesting, defaults).
func RouteReceivers(cfg *amconfig.Config, ls pmodel.LabelSet) (receivers []string, paths []string) {
	for _, r := range dispatch.NewRoute(cfg.Route, nil).Match(ls) {
		receivers = append(receivers, r.RouteOpts.Receiver)
		paths = append(paths, r.Key())
	}
	return receivers, paths
}
