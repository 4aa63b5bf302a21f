package verify

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// checkRunbooks: every alert has a section named after it in the runbook
// document (settings.runbook_doc), and its runbook_url links to that
// section where the document is published (settings.runbook_base_url).
func checkRunbooks(m *model.Model, _ output.Files) model.Problems {
	doc := m.Stack.Settings.RunbookDoc
	data, err := os.ReadFile(filepath.Join(m.Root, filepath.FromSlash(doc)))
	if err != nil {
		return model.Problems{{Pos: m.PosOf("", model.PathSettingsRunbookDoc), Scope: "stack", Msg: err.Error()}}
	}
	return RunbookProblems(m, data)
}

// RunbookProblems checks the alerts of m against the runbook document data.
func RunbookProblems(m *model.Model, data []byte) model.Problems {
	s := m.Stack
	anchors := headingAnchors(data)
	art := path.Base(s.Outputs.Alerts.Path)
	var ps model.Problems
	seen := map[string]bool{}
	for _, a := range promql.RealAlerts(s) {
		pos := func() string { return m.PosOf("", model.PathAlertRuleRunbook.At(a.GI, a.RI)) }
		anchor, ok := anchors[a.Rule.Alert]
		switch {
		case !ok && !seen[a.Rule.Alert]:
			ps = append(ps, model.Problem{Pos: pos(), Scope: a.Scope(art), Msg: fmt.Sprintf(
				"has no runbook: %s has no section \"## %s\"; write one (what it means, what to check first)", s.Settings.RunbookDoc, a.Rule.Alert)})
		case ok && a.Rule.Annotations["runbook_url"] != s.Settings.RunbookBaseURL+"#"+anchor:
			ps = append(ps, model.Problem{Pos: pos(), Scope: a.Scope(art), Msg: fmt.Sprintf(
				"runbook_url %q is not its section of %s, %s#%s", a.Rule.Annotations["runbook_url"], s.Settings.RunbookDoc, s.Settings.RunbookBaseURL, anchor)})
		}
		seen[a.Rule.Alert] = true
	}
	return ps
}

// headingAnchors maps the text of every Markdown heading of doc (outside
// fenced code) to the anchor GitHub gives it.
func headingAnchors(doc []byte) map[string]string {
	out := map[string]string{}
	fenced := false
	sc := bufio.NewScanner(bytes.NewReader(doc))
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "```") {
			fenced = !fenced
		}
		text, ok := strings.CutPrefix(strings.TrimLeft(line, "#"), " ")
		if fenced || !strings.HasPrefix(line, "#") || !ok {
			continue
		}
		text = strings.TrimSpace(text)
		out[text] = githubAnchor(text)
	}
	return out
}

// githubAnchor is the fragment GitHub links a heading by: lower case,
// punctuation other than - and _ dropped, spaces turned into hyphens.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
