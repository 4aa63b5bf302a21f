package dashboards_test

import (
	"bytes"
	"sort"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// loaded is the real model, loaded once per test binary.
type loaded struct {
	model *model.Model
	specs map[string]*dashboards.Spec
	ctx   dashboards.Context
}

func load(t *testing.T) loaded {
	t.Helper()
	m, err := model.Load(testfix.Root)
	if err != nil {
		t.Fatalf("load the fixture: %v", err)
	}
	specs := map[string]*dashboards.Spec{}
	for name, raw := range m.Stack.Dashboards {
		s, err := dashboards.Decode(raw)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		specs[name] = s
	}
	return loaded{model: m, specs: specs, ctx: dashboards.Context{DatasourceUID: m.Stack.Settings.Grafana.Datasource.UID}}
}

func sortedNames(specs map[string]*dashboards.Spec) []string {
	var names []string
	for n := range specs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// TestBuildDeterministic: the dashboards of the real model (the five of
// the seed and an SLO dashboard per environment) build, and
// build to the same bytes twice. (Their bytes are pinned by the committed
// files under ops/, which gen's TestGolden compares.)
func TestBuildDeterministic(t *testing.T) {
	l := load(t)
	want := []string{"lms-api-overview", "lms-course-performance", "lms-security-events", "lms-slo-prod", "lms-slo-staging", "lms-student-progress", "lms-system-health"}
	if diff := cmp.Diff(want, sortedNames(l.specs)); diff != "" {
		t.Fatalf("dashboards (-want +got):\n%s", diff)
	}
	for _, name := range sortedNames(l.specs) {
		got, err := dashboards.Build(l.specs[name], l.ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		again, err := dashboards.Build(l.specs[name], l.ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !bytes.Equal(got, again) {
			t.Errorf("%s: two builds of the same spec differ", name)
		}
	}
}
