package gen

import (
	"fmt"
	"path"

	"github.com/lms/lms-ops/gen/dashboards"
)

// dashboardSpecs decodes every dashboard spec strictly, by file name.
func dashboardSpecs(s *Stack) (map[string]*dashboards.Spec, error) {
	specs := map[string]*dashboards.Spec{}
	for _, name := range sortedKeys(s.Dashboards) {
		spec, err := dashboards.Decode(s.Dashboards[name])
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		specs[name] = spec
	}
	return specs, nil
}

// dashboardPath is where dashboard name is written.
func dashboardPath(s *Stack, name string) string {
	return path.Join(s.Settings.Grafana.DashboardsDir, name+".json")
}

// renderDashboards builds every dashboard with the foundation SDK, and the
// metric contract, which lists the dashboards reading each metric.
func renderDashboards(s *Stack) ([]File, error) {
	specs, err := dashboardSpecs(s)
	if err != nil {
		return nil, err
	}
	ctx := dashboards.Context{DatasourceUID: s.Settings.Grafana.Datasource.UID}
	var files []File
	for _, name := range sortedKeys(specs) {
		data, err := dashboards.Build(specs[name], ctx)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		files = append(files, File{dashboardPath(s, name), data})
	}
	contract := renderMetricsContract(s, metricReaders(s, specs))
	return append(files, File{s.Outputs.MetricsContract.Path, contract}), nil
}
