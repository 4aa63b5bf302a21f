package render

import (
	"fmt"
	"sort"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// Render turns the model into the config files, in memory, sorted by path.
// It does no I/O and no verification (see Verify); Generate adds the
// outputs that depend on the rule runs and the index, ops/README.md.
func Render(s *model.Stack) ([]output.File, error) {
	o := s.Outputs
	h := s.GeneratedHeader
	yamls := []struct {
		path string
		v    any
	}{
		{o.Prometheus.Path, o.Prometheus.Config},
		{o.Alertmanager.Path, o.Alertmanager.Config},
		{o.GrafanaDatasources.Path, o.GrafanaDatasources.Config},
		{o.GrafanaDashboardProviders.Path, o.GrafanaDashboardProviders.Config},
		{o.ComposeObservability.Path, o.ComposeObservability.Compose},
		{o.ComposeProd.Path, o.ComposeProd.Compose},
		{o.Workflow.Path, o.Workflow.Workflow},
	}
	files := []output.File{{Path: o.Caddyfile.Path, Data: Caddyfile(h, o.Caddyfile.Caddy)}}
	// The rule file is a list of groups that grows with the environments
	// (model.RuleFile has no other field).
	alerts, err := YAMLList(h, nil, "groups", o.Alerts.Rules.Groups)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", o.Alerts.Path, err)
	}
	files = append(files, output.File{Path: o.Alerts.Path, Data: alerts})
	for _, y := range yamls {
		data, err := YAML(h, y.v)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", y.path, err)
		}
		files = append(files, output.File{Path: y.path, Data: data})
	}
	dash, err := renderDashboards(s)
	if err != nil {
		return nil, err
	}
	files = append(files, dash...)
	k8s, err := Kubernetes(s, output.Index(dash))
	if err != nil {
		return nil, err
	}
	files = append(files, k8s...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}
