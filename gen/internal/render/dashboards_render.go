package render

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// DashboardSpecs decodes every dashboard spec strictly, by file name.
func DashboardSpecs(s *model.Stack) (map[string]*dashboards.Spec, error) {
	specs := map[string]*dashboards.Spec{}
	for _, name := range slices.Sorted(maps.Keys(s.Dashboards)) {
		spec, err := dashboards.Decode(s.Dashboards[name])
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		specs[name] = spec
	}
	return specs, nil
}

// DashboardPath is where dashboard name is written.
func DashboardPath(s *model.Stack, name string) string {
	return path.Join(s.Settings.Grafana.DashboardsDir, name+".json")
}

// renderDashboards builds every dashboard with the foundation SDK, and the
// metric contract, which lists the dashboards reading each metric.
func renderDashboards(s *model.Stack) ([]output.File, error) {
	specs, err := DashboardSpecs(s)
	if err != nil {
		return nil, err
	}
	ctx := dashboards.Context{DatasourceUID: s.Settings.Grafana.Datasource.UID}
	var files []output.File
	for _, name := range slices.Sorted(maps.Keys(specs)) {
		data, err := dashboards.Build(specs[name], ctx)
		if err != nil {
			return nil, fmt.Errorf("dashboard %s: %w", name, err)
		}
		files = append(files, output.File{Path: DashboardPath(s, name), Data: data})
	}
	contract := renderMetricsContract(s, metricReaders(s, specs))
	return append(files, output.File{Path: s.Outputs.MetricsContract.Path, Data: contract}), nil
}
