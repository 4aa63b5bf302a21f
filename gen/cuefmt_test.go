package gen

import (
	"strings"
	"testing"
)

// TestUnformattedCUE: the fixture is cue fmt-clean, and a file indented by
// hand is reported with its path.
func TestUnformattedCUE(t *testing.T) {
	root := copyRepo(t)
	if ps, err := UnformattedCUE(root); err != nil || len(ps) > 0 {
		t.Fatalf("fixture: %v %v", ps, err)
	}
	edit(t, root, "envs/prod/env.cue", "job:          \"lms_api_prod\"", "job:    \"lms_api_prod\"")
	ps, err := UnformattedCUE(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := ps.Error(); !strings.Contains(got, "envs/prod/env.cue: [cue-fmt] not formatted") {
		t.Errorf("got %q", got)
	}
}
