package gen

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// diffEdits are the operator edits whose summary is pinned, each made on
// a copy of the fixture.
var diffEdits = []struct {
	name string
	do   func(t *testing.T, root string)
}{
	{"threshold-raised-in-prod", func(t *testing.T, root string) {
		edit(t, root, "envs/prod/alerts.cue", "LMSHighP95Latency: {threshold: 0.75,", "LMSHighP95Latency: {threshold: 0.9,")
	}},
	{"new-environment", func(t *testing.T, root string) {
		copyDir(t, root, "envs/staging", "envs/qa")
		edit(t, root, "envs/qa/env.cue", `"lms_api_staging"`, `"lms_api_qa"`)
		edit(t, root, "envs/qa/env.cue", `"host.docker.internal:8001"`, `"host.docker.internal:8002"`)
		edit(t, root, "envs/qa/env.cue", `environment: "staging"`, `environment: "qa"`)
		edit(t, root, "envs/qa/env.cue", `"#lms-staging-alerts"`, `"#lms-qa-alerts"`)
	}},
	{"receiver-change", func(t *testing.T, root string) {
		edit(t, root, "envs/prod/env.cue", `"#lms-prod-alerts"`, `"#lms-prod-oncall"`)
	}},
	{"dashboard-panel-removed", func(t *testing.T, root string) {
		edit(t, root, "derive/dashboards.cue", "\t\t}, {\n\t\t\tkind:        \"stat\"\n\t\t\ttitle:       \"Requests in flight\"\n"+
			"\t\t\tdescription: \"Requests being served right now; a climb with flat traffic means requests are stuck (database, upstream).\"\n"+
			"\t\t\tunit:        \"short\"\n\t\t\twidth:       6\n\t\t\theight:      4\n"+
			"\t\t\tqueries: [{refId: \"A\", legendFormat: \"in flight\", expr: \"sum(http_requests_in_flight{\\(sel)})\"}]\n", "")
	}},
	{"compose-port-change", func(t *testing.T, root string) {
		edit(t, root, "envs/stack.cue", `grafana: {port: 3000, host_port: 3001,`, `grafana: {port: 3000, host_port: 3002,`)
	}},
}

// TestDiffSummaries pins, for each edit, the summary a reviewer reads in
// the pull request (the Markdown of `mage diff -format=markdown`), under
// testdata/diff/ (go test ./gen -run TestDiffSummaries -update rewrites them).
func TestDiffSummaries(t *testing.T) {
	for _, tc := range diffEdits {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := copyRepo(t)
			tc.do(t, root)
			rep, err := compareTrees(fixtureRoot, root, "main", "this change")
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Failures) > 0 {
				t.Fatalf("gen fails: %+v", rep.Failures)
			}
			var got bytes.Buffer
			if err := rep.WriteMarkdown(&got); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(fixtureRoot, "..", "diff", tc.name+".md")
			if *update {
				if err := os.WriteFile(golden, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(want), got.String()); diff != "" {
				t.Errorf("summary differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

// gitRepo makes a copy of the fixture a git repository with one commit.
func gitRepo(t *testing.T) string {
	t.Helper()
	root := copyRepo(t)
	for _, args := range [][]string{{"init", "-q"}, {"add", "-A"}, {"-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qm", "fixture"}} {
		if out, err := exec.Command("git", append([]string{"-C", root}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	return root
}

// gitState is what diff must leave as it was: the status, the worktrees
// and the refs.
func gitState(t *testing.T, root string) string {
	t.Helper()
	var b strings.Builder
	for _, args := range [][]string{{"status", "--porcelain"}, {"worktree", "list", "--porcelain"}, {"show-ref"}} {
		out, err := exec.Command("git", append([]string{"-C", root}, args...)...).Output()
		if err != nil {
			t.Fatal(err)
		}
		b.Write(out)
	}
	return b.String()
}

// TestDiffRevision: diff reads the revision from git without touching the
// checkout, and finds what the same edit between two trees finds.
func TestDiffRevision(t *testing.T) {
	t.Parallel()
	root := gitRepo(t)
	diffEdits[0].do(t, root)
	state := gitState(t, root)
	rep, err := Diff(root, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if got := gitState(t, root); got != state {
		t.Errorf("diff changed the checkout:\n%s\nthen\n%s", state, got)
	}
	if !strings.HasPrefix(rep.Before, "HEAD (") || rep.After != "working tree" {
		t.Errorf("sides %q → %q", rep.Before, rep.After)
	}
	want := []string{"alerts prod LMSHighP95Latency threshold 0.75 0.9", "notifications prod LMSHighP95Latency receivers"}
	var got []string
	for _, c := range rep.Summary.Changes[:2] {
		got = append(got, strings.Join([]string{c.Section, c.Subject, c.Field, c.Before, c.After}, " "))
	}
	if !strings.HasPrefix(got[1], want[1]) || got[0] != want[0] {
		t.Errorf("changes %q, want %q", got, want)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	summary, diffs, _ := strings.Cut(text.String(), "\ndiff a/")
	if !strings.Contains(summary, "~ prod LMSHighP95Latency  threshold: 0.75 → 0.9") || !strings.Contains(diffs, "+          ) > 0.9") {
		t.Errorf("text report: the summary, then the unified diffs; got:\n%s", text.String())
	}
	sha, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Fatal(err)
	}
	if rep, err = Diff(root, string(sha[:12])); err != nil {
		t.Fatal(err)
	}
	if rep.Before != string(sha[:7]) {
		t.Errorf("a revision named by its hash: side %q, want %q", rep.Before, sha[:7])
	}
	if _, err := Diff(root, "no-such-ref"); err == nil || !strings.Contains(err.Error(), `revision "no-such-ref": no such commit`) {
		t.Errorf("unknown revision: err %v", err)
	}
}

// TestDiffReportsFailingGen: a side gen fails on is reported as such, with
// its problems, on either side.
func TestDiffReportsFailingGen(t *testing.T) {
	t.Parallel()
	root := gitRepo(t)
	edit(t, root, "envs/prod/alerts.cue", `threshold: 0.75`, `threshold: -1`)
	rep, err := Diff(root, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Side != "working tree" || !strings.Contains(rep.Failures[0].Problems, "envs/prod/alerts.cue:11:33") {
		t.Fatalf("failures %+v", rep.Failures)
	}
	var md bytes.Buffer
	if err := rep.WriteMarkdown(&md); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(md.String(), "**gen fails on `working tree`**") {
		t.Errorf("markdown:\n%s", md.String())
	}
	commit := exec.Command("git", "-C", root, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-qam", "broken")
	if out, err := commit.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	edit(t, root, "envs/prod/alerts.cue", `threshold: -1`, `threshold: 0.75`)
	if rep, err = Diff(root, "HEAD"); err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 || !strings.HasPrefix(rep.Failures[0].Side, "HEAD (") {
		t.Fatalf("failures %+v", rep.Failures)
	}
}
