package verify

import (
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// checkRouteTests runs the route and inhibition cases on the labels the
// compose topology's Prometheus services deliver.
func checkRouteTests(m *model.Model, files output.Files) model.Problems {
	return routes.CheckRouteTests(m, files, composeSenders(m, files))
}
