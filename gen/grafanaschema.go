package gen

import (
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/verify/grafanaschema"
)

// GrafanaSchemaDir holds the vendored Grafana dashboard schema.
const GrafanaSchemaDir = grafanaschema.Dir

// GrafanaSchema derives the dashboard schema of the Grafana release
// versions.grafana names from its npm package @grafana/schema and vendors it
// under GrafanaSchemaDir (maintainer-only: it needs npm and node; gen and
// check read only the vendored file). It returns the vendored file's name
// and the release.
func GrafanaSchema(root string) (file, version string, err error) {
	m, err := model.Load(root)
	if err != nil {
		return "", "", err
	}
	version = m.Stack.Versions.Grafana
	data, s, err := grafanaschema.Regenerate(root, version)
	if err != nil {
		return "", "", err
	}
	if err := grafanaschema.Write(root, data, s); err != nil {
		return "", "", err
	}
	return grafanaschema.FilePrefix + version + grafanaschema.FileSuffix, version, nil
}
