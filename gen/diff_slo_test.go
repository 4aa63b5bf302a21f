package gen

import "testing"

// The SLO edits whose summary is pinned beside the others (testdata/diff/).
func init() {
	diffEdits = append(diffEdits, struct {
		name string
		do   func(t *testing.T, root string)
	}{"slo-objective-raised-in-prod", func(t *testing.T, root string) {
		edit(t, root, "envs/prod/slos.cue", "availability: {objective: 99.9,", "availability: {objective: 99.95,")
	}})
}
