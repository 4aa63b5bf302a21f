package verify

import (
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sObjects: every file of ops/k8s/ reads as YAML and holds only
// the kinds gen writes there. The other checks of ops/k8s/ read the
// objects through loadK8s, and say nothing when they do not load.
func checkK8sObjects(m *model.Model, files output.Files) model.Problems {
	_, ps := loadK8s(m, files)
	return ps
}
