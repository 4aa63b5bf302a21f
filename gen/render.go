package gen

import (
	"fmt"
	"sort"
)

// File is one generated output: its path relative to the repository root
// and its exact bytes.
type File struct {
	Path string
	Data []byte
}

// Render turns the model into the config files, in memory, sorted by path.
// It does no I/O and no verification (see Verify); Generate adds the
// outputs that depend on the rule runs and the index, ops/README.md.
func Render(s *Stack) ([]File, error) {
	o := s.Outputs
	h := s.GeneratedHeader
	yamls := []struct {
		path string
		v    any
	}{
		{o.Prometheus.Path, o.Prometheus.Config},
		{o.Alerts.Path, o.Alerts.Rules},
		{o.Alertmanager.Path, o.Alertmanager.Config},
		{o.GrafanaDatasources.Path, o.GrafanaDatasources.Config},
		{o.GrafanaDashboardProviders.Path, o.GrafanaDashboardProviders.Config},
		{o.ComposeObservability.Path, o.ComposeObservability.Compose},
		{o.ComposeProd.Path, o.ComposeProd.Compose},
	}
	files := []File{{o.Caddyfile.Path, renderCaddyfile(h, o.Caddyfile.Caddy)}}
	for _, y := range yamls {
		data, err := renderYAML(h, y.v)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", y.path, err)
		}
		files = append(files, File{y.path, data})
	}
	dash, err := renderDashboards(s)
	if err != nil {
		return nil, err
	}
	files = append(files, dash...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	seen := map[string]bool{}
	for _, f := range files {
		if seen[f.Path] {
			return nil, fmt.Errorf("two outputs share the path %s", f.Path)
		}
		seen[f.Path] = true
	}
	return files, nil
}
