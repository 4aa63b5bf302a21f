package gen

import (
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
)

// compareWithSloth lists how the SLO rules of s differ from sloth's (by
// "<service>/<slo>", as slothRules gives them).
func compareWithSloth(s *model.Stack, theirs map[string][]slothGroup) []sloDiff {
	var out []sloDiff
	for _, env := range slices.Sorted(maps.Keys(s.SLOs)) {
		for _, name := range slices.Sorted(maps.Keys(s.SLOs[env])) {
			v := s.SLOs[env][name]
			where := env + "/" + name
			ours := oursOf(s, env, name)
			groups := theirs[v.Sloth.Service+"/"+v.Sloth.SLO]
			if len(groups) != len(ours) || groups[0].Name != ours[0].Name {
				out = append(out, sloDiff{"two groups", where})
			}
			out = append(out, compareRecordings(where, rulesOf(ours), rulesOf(groups))...)
			out = append(out, compareAlerts(where, rulesOf(ours), rulesOf(groups))...)
		}
	}
	return out
}

// oursOf are the rule groups of one SLO of env, as slothGroups.
func oursOf(s *model.Stack, env, name string) []slothGroup {
	var out []slothGroup
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		if g.Env == env && g.SLO == name {
			out = append(out, slothGroup{Name: g.Name, Rules: g.Rules})
		}
	}
	return out
}

func rulesOf(groups []slothGroup) []model.AlertRule {
	var out []model.AlertRule
	for _, g := range groups {
		out = append(out, g.Rules...)
	}
	return out
}

// compareRecordings compares the recording rules by name: each one's
// labels and expression.
func compareRecordings(where string, ours, theirs []model.AlertRule) []sloDiff {
	byName := func(rs []model.AlertRule) map[string]model.AlertRule {
		out := map[string]model.AlertRule{}
		for _, r := range rs {
			if r.IsRecord() {
				out[r.Record] = r
			}
		}
		return out
	}
	o, th := byName(ours), byName(theirs)
	var out []sloDiff
	for _, n := range slices.Sorted(maps.Keys(o)) {
		t, ok := th[n]
		switch {
		case !ok && (strings.HasPrefix(n, "slo:sli_errors:") || strings.HasPrefix(n, "slo:sli_requests:")):
			out = append(out, sloDiff{"rates of the shortest window", where + " " + n})
		case !ok:
			out = append(out, sloDiff{"a recording rule sloth does not have", where + " " + n})
		default:
			out = append(out, compareRecording(where+" "+n, o[n], t)...)
		}
	}
	for n := range th {
		if _, ok := o[n]; !ok {
			out = append(out, sloDiff{"a recording rule of sloth's missing", where + " " + n})
		}
	}
	return out
}

// compareRecording compares one recording rule with sloth's.
func compareRecording(where string, ours, theirs model.AlertRule) []sloDiff {
	var out []sloDiff
	if !maps.Equal(ours.Labels, theirs.Labels) {
		kind := "recording labels differ"
		if ours.Record == "sloth_slo_info" && onlyStamp(ours.Labels, theirs.Labels) {
			kind = "no generator stamp"
		}
		out = append(out, sloDiff{kind, where})
	}
	o, t := folded(ours.Expr), folded(theirs.Expr)
	switch {
	case o == t && normalized(ours.Expr) != normalized(theirs.Expr):
		out = append(out, sloDiff{"decimal budget", where})
	case o == t:
	case o == folded(guarded(theirs.Expr)):
		out = append(out, sloDiff{"zero-traffic guard", where})
	case strings.Contains(theirs.Expr, "count_over_time") && strings.Contains(ours.Expr, "slo:sli_requests:"):
		out = append(out, sloDiff{"traffic-weighted period", where})
	default:
		out = append(out, sloDiff{"recording expression differs", where + ": " + o + " | sloth: " + t})
	}
	return out
}

// onlyStamp: the labels differ by sloth's generator labels only.
func onlyStamp(ours, theirs map[string]string) bool {
	t := maps.Clone(theirs)
	for _, k := range []string{"sloth_version", "sloth_mode", "sloth_spec"} {
		delete(t, k)
	}
	return maps.Equal(ours, t)
}

// guarded is sloth's error ratio (E)/(T) with our guard: 0 when the
// window holds no request.
func guarded(expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return expr
	}
	if b, ok := e.(*parser.BinaryExpr); ok && b.Op == parser.DIV {
		return "(" + b.LHS.String() + ") / ((" + b.RHS.String() + ") > 0) or vector(0)"
	}
	return expr
}

// compareAlerts compares each tier's alert with sloth's: its windows and
// factors first (the expression, numbers to 10 digits), then the rest.
func compareAlerts(where string, ours, theirs []model.AlertRule) []sloDiff {
	var out []sloDiff
	for _, o := range ours {
		if o.IsRecord() {
			continue
		}
		tier := o.Labels["tier"]
		i := slices.IndexFunc(theirs, func(r model.AlertRule) bool { return !r.IsRecord() && r.Labels["sloth_severity"] == tier })
		w := where + " " + tier
		if i < 0 {
			out = append(out, sloDiff{"an alert sloth does not have", w})
			continue
		}
		t := theirs[i]
		if folded(o.Expr) != folded(t.Expr) {
			out = append(out, sloDiff{"alert windows or factors differ", w + ": " + strings.Join(pairs(o.Expr), ", ") + " | sloth: " + strings.Join(pairs(t.Expr), ", ")})
		} else if normalized(o.Expr) != normalized(t.Expr) {
			out = append(out, sloDiff{"decimal budget", w})
		}
		out = append(out, alertDetails(w, o, t)...)
	}
	return out
}

// alertDetails compares what is not the expression.
func alertDetails(where string, o, t model.AlertRule) []sloDiff {
	var out []sloDiff
	if o.Alert != t.Alert {
		out = append(out, sloDiff{"an alert name per tier", where})
	}
	if o.For != t.For {
		out = append(out, sloDiff{"for", where})
	}
	if _, ok := t.Labels["sloth_severity"]; ok && o.Labels["sloth_severity"] == "" {
		out = append(out, sloDiff{"tier and severity labels", where})
	}
	if !slices.Equal(slices.Sorted(maps.Keys(o.Annotations)), slices.Sorted(maps.Keys(t.Annotations))) {
		out = append(out, sloDiff{"annotations", where})
	}
	return out
}

// pairsRE finds each comparison of an alert: window and threshold.
var pairsRE = regexp.MustCompile(`ratio_rate([0-9a-z]+)\{[^}]*\} > \(([^)]*)\)`)

// pairs are an alert's windows and thresholds, for a message.
func pairs(expr string) []string {
	var out []string
	for _, m := range pairsRE.FindAllStringSubmatch(normalized(expr), -1) {
		out = append(out, m[1]+" > "+m[2])
	}
	return out
}

// normalized is an expression as Prometheus's parser prints it.
func normalized(expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return expr
	}
	return e.String()
}

// folded is an expression with every arithmetic of numbers done and every
// number to 10 significant digits: float64 noise (1-0.9990000000000001)
// aside, the same thresholds print the same.
func folded(expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return expr
	}
	return fold(e).String()
}

func fold(e parser.Expr) parser.Expr {
	switch x := e.(type) {
	case *parser.ParenExpr:
		x.Expr = fold(x.Expr)
		switch inner := x.Expr.(type) {
		case *parser.NumberLiteral, *parser.ParenExpr:
			return inner
		}
	case *parser.BinaryExpr:
		x.LHS, x.RHS = fold(x.LHS), fold(x.RHS)
		l, lok := x.LHS.(*parser.NumberLiteral)
		r, rok := x.RHS.(*parser.NumberLiteral)
		if lok && rok && arith[x.Op] != nil {
			return round(arith[x.Op](l.Val, r.Val))
		}
	case *parser.Call:
		for i := range x.Args {
			x.Args[i] = fold(x.Args[i])
		}
	case *parser.AggregateExpr:
		x.Expr = fold(x.Expr)
	case *parser.NumberLiteral:
		return round(x.Val)
	}
	return e
}

var arith = map[parser.ItemType]func(a, b float64) float64{
	parser.ADD: func(a, b float64) float64 { return a + b },
	parser.SUB: func(a, b float64) float64 { return a - b },
	parser.MUL: func(a, b float64) float64 { return a * b },
	parser.DIV: func(a, b float64) float64 { return a / b },
}

func round(v float64) *parser.NumberLiteral {
	if math.IsInf(v, 0) || math.IsNaN(v) {
		return &parser.NumberLiteral{Val: v}
	}
	r, _ := strconv.ParseFloat(strconv.FormatFloat(v, 'g', 10, 64), 64)
	return &parser.NumberLiteral{Val: r}
}
