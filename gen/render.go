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

// Render turns the model into every output file, in memory, sorted by path.
// It does no I/O and no verification (see Verify).
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
	files = append(files, File{OpsDir + "/README.md", renderOpsReadme(s, files)})
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
