package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestRunbooks: the fixture's runbooks pass; a missing section, a renamed
// one and a runbook_url that links elsewhere each fail, at the alert.
func TestRunbooks(t *testing.T) {
	m, _ := generate(t)
	doc, err := os.ReadFile(filepath.Join(testfix.Root, m.Stack.Settings.RunbookDoc))
	if err != nil {
		t.Fatal(err)
	}
	if ps := RunbookProblems(m, doc); len(ps) != 0 {
		t.Fatalf("the fixture's runbooks fail: %v", ps)
	}
	otherURL := func(m *model.Model) {
		m.Stack.Outputs.Alerts.Rules.Groups[0].Rules[1].Annotations["runbook_url"] = m.Stack.Settings.RunbookBaseURL + "#lmsapidown"
	}
	for _, tc := range []struct {
		name     string
		old, new string
		mutate   func(*model.Model)
		want     []string
	}{
		{"section missing", "## LMSRateLimitSpike", "## Rate limiting", nil,
			[]string{"derive/alerts.cue:", "env prod: alerts.yml: alert LMSRateLimitSpike: has no runbook: docs/runbooks.md has no section \"## LMSRateLimitSpike\""}},
		{"section in a code block only", "## LMSHighP95Latency", "```\n## LMSHighP95Latency\n```", nil,
			[]string{"alert LMSHighP95Latency: has no runbook"}},
		{"section renamed, so its anchor moves", "## LMSApiDown", "## LMSApiDown (target down)", nil,
			[]string{"alert LMSApiDown: has no runbook"}},
		{"runbook_url links another section", "", "", otherURL,
			[]string{`alert LMSHighErrorRate: runbook_url "https://github.com/lms/lms-ops/blob/main/docs/runbooks.md#lmsapidown" is not its section of docs/runbooks.md, https://github.com/lms/lms-ops/blob/main/docs/runbooks.md#lmshigherrorrate`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := generate(t)
			if tc.mutate != nil {
				tc.mutate(m)
			}
			bad := strings.Replace(string(doc), tc.old, tc.new, 1)
			ps := RunbookProblems(m, []byte(bad))
			for _, want := range tc.want {
				if !strings.Contains(ps.Error(), want) {
					t.Errorf("want a problem containing %q, got:\n%v", want, ps)
				}
			}
		})
	}
}

func TestGitHubAnchor(t *testing.T) {
	for heading, want := range map[string]string{
		"LMSApiDown":            "lmsapidown",
		"Reaching the stack":    "reaching-the-stack",
		"What's new? (v2)":      "whats-new-v2",
		"snake_case and-dashes": "snake_case-and-dashes",
	} {
		if got := githubAnchor(heading); got != want {
			t.Errorf("githubAnchor(%q) = %q, want %q", heading, got, want)
		}
	}
}
