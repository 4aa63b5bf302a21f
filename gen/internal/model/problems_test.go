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
		{Pos: "derive/alerts.cue:100:1"},
	}
	ps.Sort()
	var got []string
	for _, p := range ps {
		got = append(got, p.Pos)
	}
	want := []string{"derive/alerts.cue:100:1", "envs/prod/alerts.cue:9:2", "envs/prod/alerts.cue:9:14", "envs/prod/alerts.cue:11:3",
		"ops/observability/alertmanager/alertmanager.yml", ""}
	if !slices.Equal(got, want) {
		t.Errorf("order %q, want %q", got, want)
	}
}

// TestWithoutOutputErrors: when a setting is refused, the output errors
// it causes are counted, not listed; with no refused setting they stay.
func TestWithoutOutputErrors(t *testing.T) {
	refused := Problem{Pos: "envs/stack.cue:59:25", Scope: "stack", Msg: "settings.ha.prometheus_replicas: replica 1 would publish on host port 65536"}
	output := Problem{Pos: "derive/compose.cue:34:3", Scope: "stack", Msg: `outputs.composeObservability.compose.services."prometheus-1".ports.0: invalid value`}
	let := Problem{Pos: "derive/compose.cue:34:3", Scope: "stack", Msg: "_limits.carried: error in call to list.Concat"}
	more := Problem{Scope: "stack", Msg: "and 2 more errors that follow from the ones above"}
	got := withoutOutputErrors(Problems{refused, output, let, more})
	want := Problems{refused, {Scope: "stack", Msg: "and 4 more errors that follow from the ones above"}}
	if !slices.EqualFunc(got, want, func(a, b Problem) bool { return a.String() == b.String() }) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := withoutOutputErrors(Problems{output}); len(got) != 1 || got[0].Msg != output.Msg {
		t.Errorf("an output error alone: got %v, want it kept", got)
	}
}
