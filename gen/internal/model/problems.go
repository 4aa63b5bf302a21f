package model

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
)

// Problem is one thing wrong with the model or an output, located as
// precisely as possible so an operator can go straight to the line.
type Problem struct {
	// Pos is "file:line:col" relative to the repository root, or "".
	Pos string
	// Scope names where the problem is: "env prod", "stack", or
	// "env prod: alerts.yml: alert LMSApiDown".
	Scope string
	// Rule names the check that failed ("" for CUE evaluation errors).
	Rule string
	// Msg says what is wrong, with the offending value.
	Msg string
	// Also lists further positions involved (e.g. the schema rule broken).
	Also []string
}

// String formats the problem as "pos: scope: [rule] msg (also: ...)".
func (p Problem) String() string {
	var parts []string
	for _, s := range []string{p.Pos, p.Scope} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	msg := p.Msg
	if p.Rule != "" {
		msg = "[" + p.Rule + "] " + msg
	}
	parts = append(parts, msg)
	s := strings.Join(parts, ": ")
	if len(p.Also) > 0 {
		s += " (see " + strings.Join(p.Also, ", ") + ")"
	}
	return s
}

// Problems is a list of problems; as an error it prints one per line.
type Problems []Problem

// Error implements error.
func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// Sort puts problems in source order: by file, then line and column as
// numbers (alerts.cue:9 before alerts.cue:11); those without a line after
// those with one in the same file, and those without a position last.
func (ps Problems) Sort() {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := splitPos(ps[i].Pos), splitPos(ps[j].Pos)
		if (a.file == "") != (b.file == "") {
			return a.file != ""
		}
		if a.file != b.file {
			return a.file < b.file
		}
		if a.line != b.line {
			return a.line < b.line
		}
		return a.col < b.col
	})
}

type position struct {
	file      string
	line, col int
}

// splitPos parses "file:line:col"; a file alone has line and column
// beyond every real one.
func splitPos(pos string) position {
	p := position{file: pos, line: math.MaxInt, col: math.MaxInt}
	parts := strings.Split(pos, ":")
	if n := len(parts); n >= 3 {
		line, err1 := strconv.Atoi(parts[n-2])
		col, err2 := strconv.Atoi(parts[n-1])
		if err1 == nil && err2 == nil {
			p = position{strings.Join(parts[:n-2], ":"), line, col}
		}
	}
	return p
}

// Err returns ps as an error, or nil when there is no problem.
func (ps Problems) Err() error {
	if len(ps) == 0 {
		return nil
	}
	return ps
}

// CUEProblems turns every CUE error in err into a Problem. Positions are made
// relative to root; the operator's own files (envs/) come first, the schema
// rule that was broken goes into Also. trim is removed from the front of
// every path (the definition the value was unified with). locate, when not
// nil, finds where the operator wrote the value at an error's path: that
// position comes first, before the rule's own positions.
func CUEProblems(root, scope, trim string, err error, locate func(path []string) (located, bool)) Problems {
	var ps Problems
	seen := map[string]bool{}
	for _, e := range errors.Errors(errors.Sanitize(errors.Promote(err, ""))) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		path := strings.TrimPrefix(strings.Join(e.Path(), "."), trim)
		positions := sortPositions(root, errors.Positions(e))
		p := Problem{Scope: scope}
		if locate != nil && (len(positions) == 0 || !IsEnvFile(positions[0])) {
			if at, ok := locate(e.Path()); ok {
				positions = append([]string{at.pos}, slices.DeleteFunc(positions, func(p string) bool { return p == at.pos })...)
				p.Scope, path = at.scope, at.path
			}
		}
		if path != "" {
			msg = path + ": " + msg
		}
		p.Msg = msg
		if len(positions) > 0 {
			p.Pos, p.Also = positions[0], positions[1:]
		}
		if key := p.String(); !seen[key] {
			seen[key] = true
			ps = append(ps, p)
		}
	}
	return withoutConsequences(ps)
}

// located is where the operator wrote a value: its position, the
// environment it belongs to and its path there.
type located struct{ pos, scope, path string }

// withoutConsequences drops the errors that only follow from another one:
// CUE reports every use of a broken value again ("invalid interpolation"),
// pointing back at the broken value's position. Those are summarised in
// one line so the operator sees the cause first.
func withoutConsequences(ps Problems) Problems {
	causes := map[string]bool{}
	for _, p := range ps {
		causes[p.Pos] = true
	}
	var out Problems
	dropped := 0
	for _, p := range ps {
		follows := false
		for _, a := range p.Also {
			if a != p.Pos && causes[a] && !strings.HasPrefix(a, SchemaDir+"/") {
				follows = true
			}
		}
		if follows {
			dropped++
			continue
		}
		out = append(out, p)
	}
	if dropped > 0 && len(out) > 0 {
		out = append(out, Problem{Scope: out[0].Scope, Msg: fmt.Sprintf("and %d more errors that follow from the ones above", dropped)})
	}
	return out
}

// withoutOutputErrors drops, when a value the operator sets is refused,
// the errors of the outputs (files and dashboards, and the definitions
// they are built with) and of the schema's own computations
// (_limits.<name>) that read it: a refused setting (a host port beyond
// 65535 once the replicas are added, a credential-shaped variable name)
// also breaks the compose service rendered from it, and that error would
// point at a shared file the operator did not touch. They are counted in
// one line; an output error with no refused value behind it stays.
func withoutOutputErrors(ps Problems) Problems {
	derived := func(p Problem) bool {
		for _, prefix := range []string{"outputs.", "dashboards.", "#", "_limits.", "and "} {
			if strings.HasPrefix(p.Msg, prefix) {
				return true
			}
		}
		return false
	}
	if !slices.ContainsFunc(ps, func(p Problem) bool { return !derived(p) }) {
		return ps
	}
	var out Problems
	dropped := 0
	for _, p := range ps {
		switch {
		case strings.HasPrefix(p.Msg, "and "):
			var n int
			if _, err := fmt.Sscanf(p.Msg, "and %d more", &n); err == nil {
				dropped += n
			}
		case derived(p):
			dropped++
		default:
			out = append(out, p)
		}
	}
	if dropped > 0 {
		out = append(out, Problem{Scope: out[0].Scope, Msg: fmt.Sprintf("and %d more errors that follow from the ones above", dropped)})
	}
	return out
}

// sortPositions formats positions relative to root, operator files first
// (envs/<name>/ before envs/ before schema/), without duplicates.
func sortPositions(root string, poss []token.Pos) []string {
	var out []string
	seen := map[string]bool{}
	for _, pos := range poss {
		if !pos.IsValid() || isLibraryEmbedding(pos) {
			continue
		}
		s := RelPos(root, pos)
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	// The operator's values first, then the logic that read them, then
	// the schema's rule.
	rank := func(s string) int {
		switch {
		case IsEnvFile(s):
			return 0
		case strings.HasPrefix(s, EnvsDir+"/"):
			return 1
		case strings.HasPrefix(s, DeriveDir+"/"):
			return 2
		default:
			return 3
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i]) < rank(out[j]) })
	return out
}

// isLibraryEmbedding tells whether pos is envs/stack.cue's embedding of
// the derive package: CUE names it among the positions of every value
// the package derives, where it says nothing of the value.
func isLibraryEmbedding(pos token.Pos) bool {
	if filepath.Base(filepath.Dir(pos.Filename())) != EnvsDir {
		return false
	}
	data, err := os.ReadFile(pos.Filename())
	if err != nil {
		return false
	}
	lines := strings.Split(string(data), "\n")
	return pos.Line() <= len(lines) && strings.TrimSpace(lines[pos.Line()-1]) == DeriveDir
}

// IsEnvFile tells whether a position is in an environment's own files
// (envs/<name>/), where an operator sets values.
func IsEnvFile(pos string) bool {
	return strings.HasPrefix(pos, EnvsDir+"/") && strings.Count(pos[:strings.Index(pos, ":")], "/") >= 2
}

// RelPos formats pos as "file:line:col" with file relative to root.
func RelPos(root string, pos token.Pos) string {
	file := pos.Filename()
	if rel, err := filepath.Rel(root, file); err == nil && !strings.HasPrefix(rel, "..") {
		file = filepath.ToSlash(rel)
	}
	return fmt.Sprintf("%s:%d:%d", file, pos.Line(), pos.Column())
}
