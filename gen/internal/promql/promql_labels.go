package promql

import (
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// LabelSet is a set of label names.
type LabelSet map[string]bool

func (s LabelSet) Sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func Intersect(a, b LabelSet) LabelSet {
	out := LabelSet{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

// SeriesLabels says which labels a raw series selected by vs carries: the
// labels of the scrape jobs it can come from (job, instance and the jobs'
// static labels) and, for a catalog metric, the labels the backend attaches.
type SeriesLabels func(vs *parser.VectorSelector) LabelSet

// OutputLabels infers the labels every result series of expr is guaranteed
// to carry (not __name__), following PromQL's rules: aggregations keep their
// `by` labels, binary operators keep the side that is matched one-to-one,
// histogram_quantile drops le, and so on. Anything unknown keeps the labels
// of its vector arguments.
func OutputLabels(expr parser.Expr, raw SeriesLabels) LabelSet {
	switch e := expr.(type) {
	case *parser.VectorSelector:
		return raw(e)
	case *parser.MatrixSelector:
		return OutputLabels(e.VectorSelector, raw)
	case *parser.SubqueryExpr:
		return OutputLabels(e.Expr, raw)
	case *parser.ParenExpr:
		return OutputLabels(e.Expr, raw)
	case *parser.UnaryExpr:
		return OutputLabels(e.Expr, raw)
	case *parser.StepInvariantExpr:
		return OutputLabels(e.Expr, raw)
	case *parser.AggregateExpr:
		return aggregateLabels(e, raw)
	case *parser.Call:
		return callLabels(e, raw)
	case *parser.BinaryExpr:
		return binaryLabels(e, raw)
	default: // literals
		return LabelSet{}
	}
}

func aggregateLabels(e *parser.AggregateExpr, raw SeriesLabels) LabelSet {
	inner := OutputLabels(e.Expr, raw)
	switch {
	case e.Op == parser.TOPK || e.Op == parser.BOTTOMK:
		return inner
	case e.Without:
		out := LabelSet{}
		for k := range inner {
			out[k] = true
		}
		for _, g := range e.Grouping {
			delete(out, g)
		}
		return out
	default:
		out := LabelSet{}
		for _, g := range e.Grouping {
			if inner[g] {
				out[g] = true
			}
		}
		return out
	}
}

func callLabels(e *parser.Call, raw SeriesLabels) LabelSet {
	switch e.Func.Name {
	case "histogram_quantile":
		out := OutputLabels(e.Args[1], raw)
		delete(out, "le")
		return out
	case "absent", "absent_over_time":
		out := LabelSet{}
		for _, vs := range Selectors(e.Args[0]) {
			for _, m := range vs.LabelMatchers {
				if m.Type == labels.MatchEqual && m.Name != labels.MetricName {
					out[m.Name] = true
				}
			}
		}
		return out
	case "label_replace":
		out := OutputLabels(e.Args[0], raw)
		if dst, ok := e.Args[1].(*parser.StringLiteral); ok {
			out[dst.Val] = true
		}
		return out
	}
	for _, a := range e.Args {
		if a.Type() == parser.ValueTypeVector || a.Type() == parser.ValueTypeMatrix {
			return OutputLabels(a, raw)
		}
	}
	return LabelSet{}
}

func binaryLabels(e *parser.BinaryExpr, raw SeriesLabels) LabelSet {
	lhsVec := e.LHS.Type() == parser.ValueTypeVector
	rhsVec := e.RHS.Type() == parser.ValueTypeVector
	switch {
	case lhsVec && rhsVec:
		if e.Op == parser.LOR {
			return Intersect(OutputLabels(e.LHS, raw), OutputLabels(e.RHS, raw))
		}
		if e.VectorMatching != nil && e.VectorMatching.Card == parser.CardOneToMany {
			return OutputLabels(e.RHS, raw)
		}
		return OutputLabels(e.LHS, raw)
	case lhsVec:
		return OutputLabels(e.LHS, raw)
	case rhsVec:
		return OutputLabels(e.RHS, raw)
	}
	return LabelSet{}
}

// Selectors returns every vector selector in expr, in order.
func Selectors(expr parser.Node) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}
