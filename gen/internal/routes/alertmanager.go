package routes

import (
	"runtime"
	"sync"
	"weak"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/dispatch"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// LoadAlertmanager parses the rendered alertmanager.yml with Alertmanager's
// loader; checkAlertmanagerConfig reports a failure, the others skip.
func LoadAlertmanager(m *model.Model, files output.Files) *amconfig.Config {
	cfg, err := ParseAlertmanager(m.Stack, files)
	if err != nil {
		return nil
	}
	return cfg
}

// ParseAlertmanager parses the rendered alertmanager.yml of s.
func ParseAlertmanager(s *model.Stack, files output.Files) (*amconfig.Config, error) {
	return amconfig.Load(string(files[s.Outputs.Alertmanager.Path]))
}

// Reached is who one alert of one environment notifies.
type Reached struct {
	Env, Alert string
	// Receivers are the receivers Alertmanager routes the alert to, in
	// route order.
	Receivers []string
}

// AlertReceivers routes every alert the rules of s can raise, with the
// labels it really carries, through cfg: the same routing the route tests
// run, so the alert catalog and the diff say what Alertmanager will do.
// The result is in the order of promql.RealAlerts(s).
func AlertReceivers(s *model.Stack, cfg *amconfig.Config) []Reached {
	var out []Reached
	for _, a := range promql.RealAlerts(s) {
		receivers, _ := RouteReceivers(cfg, a.Labels)
		out = append(out, Reached{Env: a.Env, Alert: a.Rule.Alert, Receivers: receivers})
	}
	return out
}

// RouteReceivers returns the receivers an alert with labels ls reaches in
// the routing tree of cfg, and the route path of each, using
// Alertmanager's own matching (continue, nesting, defaults).
func RouteReceivers(cfg *amconfig.Config, ls pmodel.LabelSet) (receivers []string, paths []string) {
	for _, r := range treeOf(cfg).Match(ls) {
		receivers = append(receivers, r.RouteOpts.Receiver)
		paths = append(paths, r.Key())
	}
	return receivers, paths
}

// trees holds the routing tree of each config until the config is
// collected (the key is weak; a cleanup drops the entry). The catalog and
// three checks route every alert or case through one config, and the tree
// holds a route per environment: built for each alert, routing was
// quadratic in the environments.
var trees sync.Map // weak.Pointer[amconfig.Config] → *dispatch.Route

// treeOf is the routing tree of cfg, which is not changed once loaded;
// Match only reads it, so the parallel checks share it.
func treeOf(cfg *amconfig.Config) *dispatch.Route {
	k := weak.Make(cfg)
	if t, ok := trees.Load(k); ok {
		return t.(*dispatch.Route)
	}
	t, loaded := trees.LoadOrStore(k, dispatch.NewRoute(cfg.Route, nil))
	if !loaded {
		runtime.AddCleanup(cfg, func(k weak.Pointer[amconfig.Config]) { trees.Delete(k) }, k)
	}
	return t.(*dispatch.Route)
}
