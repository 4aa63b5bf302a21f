package gen

import (
	"sort"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// labelSet is a set of label names.
type labelSet map[string]bool

func (s labelSet) sorted() []string {
	out := make([]string, 0, len(s))
	for k := range s {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func intersect(a, b labelSet) labelSet {
	out := labelSet{}
	for k := range a {
		if b[k] {
			out[k] = true
		}
	}
	return out
}

// seriesLabels says which labels a raw series selected by vs carries: the
// labels of the scrape jobs it can come from (job, instance and the jobs'
// static labels) and, for a catalog metric, the labels the backend attaches.
type seriesLabels func(vs *parser.VectorSelector) labelSet

// outputLabels infers the labels every result series of expr is guaranteed
// to carry (not __name__), following PromQL's rules: aggregations keep their
// `by` labels, binary operators keep the side that is matched one-to-one,
// histogram_quantile drops le, and so on. Anything unknown keeps the labels
// of its vector arguments.
func outputLabels(expr parser.Expr, raw seriesLabels) labelSet {
	switch e := expr.(type) {
	case *parser.VectorSelector:
		return raw(e)
	case *parser.MatrixSelector:
		return outputLabels(e.VectorSelector, raw)
	case *parser.SubqueryExpr:
		return outputLabels(e.Expr, raw)
	case *parser.ParenExpr:
		return outputLabels(e.Expr, raw)
	case *parser.UnaryExpr:
		return outputLabels(e.Expr, raw)
	case *parser.StepInvariantExpr:
		return outputLabels(e.Expr, raw)
	case *parser.AggregateExpr:
		return aggregateLabels(e, raw)
	case *parser.Call:
		return callLabels(e, raw)
	case *parser.BinaryExpr:
		return binaryLabels(e, raw)
	default: // literals
		return labelSet{}
	}
}

func aggregateLabels(e *parser.AggregateExpr, raw seriesLabels) labelSet {
	inner := outputLabels(e.Expr, raw)
	switch {
	case e.Op == parser.TOPK || e.Op == parser.BOTTOMK:
		return inner
	case e.Without:
		out := labelSet{}
		for k := range inner {
			out[k] = true
		}
		for _, g := range e.Grouping {
			delete(out, g)
		}
		return out
	default:
		out := labelSet{}
		for _, g := range e.Grouping {
			if inner[g] {
				out[g] = true
			}
		}
		return out
	}
}

func callLabels(e *parser.Call, raw seriesLabels) labelSet {
	switch e.Func.Name {
	case "histogram_quantile":
		out := outputLabels(e.Args[1], raw)
		delete(out, "le")
		return out
	case "absent", "absent_over_time":
		out := labelSet{}
		for _, vs := range selectors(e.Args[0]) {
			for _, m := range vs.LabelMatchers {
				if m.Type == labels.MatchEqual && m.Name != labels.MetricName {
					out[m.Name] = true
				}
			}
		}
		return out
	case "label_replace":
		out := outputLabels(e.Args[0], raw)
		if dst, ok := e.Args[1].(*parser.StringLiteral); ok {
			out[dst.Val] = true
		}
		return out
	}
	for _, a := range e.Args {
		if a.Type() == parser.ValueTypeVector || a.Type() == parser.ValueTypeMatrix {
			return outputLabels(a, raw)
		}
	}
	return labelSet{}
}

func binaryLabels(e *parser.BinaryExpr, raw seriesLabels) labelSet {
	lhsVec := e.LHS.Type() == parser.ValueTypeVector
	rhsVec := e.RHS.Type() == parser.ValueTypeVector
	switch {
	case lhsVec && rhsVec:
		if e.Op == parser.LOR {
			return intersect(outputLabels(e.LHS, raw), outputLabels(e.RHS, raw))
		}
		if e.VectorMatching != nil && e.VectorMatching.Card == parser.CardOneToMany {
			return outputLabels(e.RHS, raw)
		}
		return outputLabels(e.LHS, raw)
	case lhsVec:
		return outputLabels(e.LHS, raw)
	case rhsVec:
		return outputLabels(e.RHS, raw)
	}
	return labelSet{}
}

// selectors returns every vector selector in expr, in order.
func selectors(expr parser.Node) []*parser.VectorSelector {
	var out []*parser.VectorSelector
	parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
		if vs, ok := n.(*parser.VectorSelector); ok {
			out = append(out, vs)
		}
		return nil
	})
	return out
}
