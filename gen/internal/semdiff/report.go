package semdiff

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/rogpeppe/go-internal/diff"

	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
)

// Report is a whole comparison: the two sides' names, what changes, the
// files that differ, and the sides whose gen failed.
type Report struct {
	// Before and After name the sides ("HEAD (01fdf00)", "working tree").
	Before, After string
	Summary       Summary
	Files         []FileDiff
	// Failures are the sides gen failed on, with its problems; when there
	// is one, Summary and Files are empty.
	Failures []Failure
}

// Failure is a side gen failed on.
type Failure struct {
	Side, Problems string
}

// FileDiff is one generated file that differs.
type FileDiff struct {
	Path string
	// Added and Removed count lines.
	Added, Removed int
	// Diff is the unified diff from before to after.
	Diff []byte
}

// DiffFiles lists every file that differs between the two sides, by path.
func DiffFiles(before, after output.Files) []FileDiff {
	paths := unionKeys(before, after)
	var out []FileDiff
	for _, p := range paths {
		d := diff.Diff("a/"+p, before[p], "b/"+p, after[p])
		if d == nil {
			continue
		}
		f := FileDiff{Path: p, Diff: d}
		for _, l := range strings.Split(string(d), "\n") {
			switch {
			case strings.HasPrefix(l, "+") && !strings.HasPrefix(l, "+++ "):
				f.Added++
			case strings.HasPrefix(l, "-") && !strings.HasPrefix(l, "--- "):
				f.Removed++
			}
		}
		out = append(out, f)
	}
	return out
}

// WriteText writes the report for a terminal: the summary first, then the
// list of files, then the unified diff of each.
func (r Report) WriteText(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "lms-ops diff: %s → %s\n", r.Before, r.After)
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "\ngen fails on %s:\n%s\n", f.Side, strings.TrimRight(f.Problems, "\n"))
	}
	if len(r.Failures) == 0 {
		b.WriteString("\nWhat changes\n")
		if len(r.Summary.Changes) == 0 {
			b.WriteString("  nothing: " + r.noChange() + "\n")
		}
		for _, sec := range sections {
			cs := r.Summary.In(sec)
			if len(cs) > 0 {
				fmt.Fprintf(&b, "  %s\n", sec)
			}
			for _, c := range cs {
				fmt.Fprintf(&b, "    %s %s  %s\n", mark(c), c.Subject, textChange(c))
			}
		}
		fmt.Fprintf(&b, "\nFiles (%d changed)\n", len(r.Files))
		for _, f := range r.Files {
			fmt.Fprintf(&b, "  %s  +%d -%d\n", f.Path, f.Added, f.Removed)
		}
		for _, f := range r.Files {
			b.WriteString("\n")
			b.Write(f.Diff)
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

// noChange says why the summary is empty.
func (r Report) noChange() string {
	if len(r.Files) == 0 {
		return "every generated file is the same"
	}
	return "the files below differ, but no SLO, alert, notification, inhibition, scrape job, dashboard panel or compose service does"
}

func mark(c Change) string {
	switch {
	case c.Field == Added || c.Before == None:
		return "+"
	case c.Field == Removed || c.After == None:
		return "-"
	case c.Before == c.After:
		return "="
	}
	return "~"
}

func textChange(c Change) string {
	switch c.Field {
	case Added:
		return "added: " + c.After
	case Removed:
		return "removed: " + c.Before
	}
	if c.Before == c.After {
		return fmt.Sprintf("%s: %s (unchanged)", c.Field, c.Before)
	}
	b, a := c.shown()
	return fmt.Sprintf("%s: %s → %s", c.Field, b, a)
}

// WriteMarkdown writes the summary as a pull-request comment: a table per
// section, then the files that change.
func (r Report) WriteMarkdown(w io.Writer) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "### lms-ops: what this change does\n\n`%s` → `%s`, both rendered and verified by the same gen.\n", r.Before, r.After)
	for _, f := range r.Failures {
		fmt.Fprintf(&b, "\n**gen fails on `%s`**, so there is nothing to compare:\n\n```\n%s\n```\n", f.Side, strings.TrimRight(f.Problems, "\n"))
	}
	if len(r.Failures) == 0 {
		if len(r.Summary.Changes) == 0 {
			b.WriteString("\nNothing changes: " + r.noChange() + ".\n")
		}
		for _, sec := range sections {
			writeMarkdownSection(&b, sec, r.Summary.In(sec))
		}
		if len(r.Files) > 0 {
			fmt.Fprintf(&b, "\n#### Files\n\n%d generated files change (`go run mage.go diff` prints each diff):\n\n", len(r.Files))
			for _, f := range r.Files {
				fmt.Fprintf(&b, "- `%s` (+%d −%d)\n", f.Path, f.Added, f.Removed)
			}
		}
	}
	_, err := w.Write(b.Bytes())
	return err
}

func writeMarkdownSection(b *bytes.Buffer, sec string, cs []Change) {
	if len(cs) == 0 {
		return
	}
	title := strings.ToUpper(sec[:1]) + sec[1:]
	if sec == SLOs {
		title = "SLOs"
	}
	fmt.Fprintf(b, "\n#### %s\n\n| | what | change | before | after |\n|---|---|---|---|---|\n", title)
	for _, c := range cs {
		before, after := c.shown()
		before, after = code(before), code(after)
		if c.Before == c.After {
			after = "unchanged"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s | %s |\n", mark(c), render.MarkdownCell(c.Subject), c.Field, before, after)
	}
}

// code writes a value as code in a table cell; None stays plain.
func code(s string) string {
	if s == None {
		return s
	}
	return "`" + render.MarkdownCell(s) + "`"
}

// shown are the values as the report shows them: a long expression cut
// to what changed in it; anything else whole.
func (c Change) shown() (string, string) {
	if c.Field == "expr" || strings.HasPrefix(c.Field, "query ") {
		return elide(c.Before, c.After)
	}
	return c.Before, c.After
}

// elide shortens two long values that differ in a small part (a query
// with one number changed) to that part with a few words around it.
func elide(b, a string) (string, string) {
	const long, context = 80, 40
	if len(b) <= long && len(a) <= long || b == None || a == None {
		return b, a
	}
	p := 0
	for p < len(b) && p < len(a) && b[p] == a[p] {
		p++
	}
	for p > 0 && !utf8.RuneStart(b[p]) {
		p--
	}
	s := 0
	for s < len(b)-p && s < len(a)-p && b[len(b)-1-s] == a[len(a)-1-s] {
		s++
	}
	for s > 0 && !utf8.RuneStart(b[len(b)-s]) {
		s--
	}
	start := max(0, p-context)
	if i := strings.IndexByte(b[start:p], ' '); start > 0 && i >= 0 {
		start += i + 1
	}
	keep := max(0, s-context) // suffix bytes cut
	if i := strings.LastIndexByte(b[len(b)-s:len(b)-keep], ' '); keep > 0 && i >= 0 {
		keep = s - i
	}
	cut := func(v string) string {
		out := v[start : len(v)-keep]
		if start > 0 {
			out = "…" + out
		}
		if keep > 0 {
			out += "…"
		}
		return out
	}
	return cut(b), cut(a)
}
