package model

import (
	"slices"
	"testing"
)

// TestProblemsInSourceOrder: problems sort by file, then line and column
// as numbers; a file without a line after its lines, no position last.
func TestProblemsInSourceOrder(t *testing.T) {
	ps := Problems{
		{Msg: "no position"},
		{Pos: "envs/prod/alerts.cue:11:3"},
		{Pos: "ops/observability/alertmanager/alertmanager.yml"},
		{Pos: "envs/prod/alerts.cue:9:14"},
		{Pos: "envs/prod/alerts.cue:9:2"},
		{Pos: "envs/alerts.cue:100:1"},
	}
	ps.Sort()
	var got []string
	for _, p := range ps {
		got = append(got, p.Pos)
	}
	want := []string{"envs/alerts.cue:100:1", "envs/prod/alerts.cue:9:2", "envs/prod/alerts.cue:9:14", "envs/prod/alerts.cue:11:3",
		"ops/observability/alertmanager/alertmanager.yml", ""}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}
