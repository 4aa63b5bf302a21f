package gen

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"
)

// InputSeries is one synthetic series in promtool's load notation.
type InputSeries struct {
	Series string   `json:"series"`
	Values string   `json:"values,omitempty"`
	Start  *float64 `json:"start,omitempty"`
	Step   *float64 `json:"step,omitempty"`
}

// FiringAlert is an alert firing at some evaluation time.
type FiringAlert struct {
	Labels      map[string]string
	Annotations map[string]string
}

// ruleEvaluation evaluates a rule file the way the Prometheus 2.54.1
// server does (and `promtool test rules`): its rule manager and PromQL
// engine, on synthetic series sampled once a minute.
type ruleEvaluation struct {
	rules        *rulefmt.RuleGroups
	evalInterval time.Duration
	// interval is the spacing of the input samples.
	interval time.Duration
	series   []InputSeries
	horizon  time.Duration
	// steadyAfter is when the inputs have become steady: from then on
	// every series grows at a constant rate and every window is full, so
	// every expression's result stays the same. Evaluations after it
	// that no check reads are skipped; before it, every step runs.
	steadyAfter time.Duration
}

// memLoader serves the parsed rule groups to the rule manager.
type memLoader struct{ rules *rulefmt.RuleGroups }

func (l memLoader) Load(string) (*rulefmt.RuleGroups, []error) { return l.rules, nil }
func (memLoader) Parse(q string) (parser.Expr, error)          { return parser.ParseExpr(q) }

// loadValues is the series' values in load notation: as written, or
// "start+stepxN" for a derived series.
func (s InputSeries) loadValues(n int) string {
	if s.Values == "" && s.Start != nil && s.Step != nil {
		return fmt.Sprintf("%s+%sx%d", fmtNum(*s.Start), fmtNum(*s.Step), n)
	}
	return s.Values
}

// run evaluates every group at each step from 0 to the last check time and
// calls observe with the alerts firing at each time in at.
func (e ruleEvaluation) run(at []time.Duration, observe func(time.Duration, []FiringAlert)) error {
	st, err := newSeriesStore(e.series, e.interval, e.horizon)
	if err != nil {
		return fmt.Errorf("load series: %w", err)
	}
	defer st.close()
	// The server's engine settings: its default sample limit
	// (--query.max-samples), subqueries at the evaluation interval.
	engine := promql.NewEngine(promql.EngineOpts{
		MaxSamples:               50_000_000,
		Timeout:                  2 * time.Minute,
		NoStepSubqueryIntervalFn: func(int64) int64 { return e.evalInterval.Milliseconds() },
		EnableAtModifier:         true,
		EnableNegativeOffset:     true,
	})
	ctx := context.Background()
	mgr := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:   rules.EngineQueryFunc(engine, st),
		Appendable:  st.head,
		Context:     ctx,
		NotifyFunc:  func(context.Context, string, ...*rules.Alert) {},
		Logger:      log.NewNopLogger(),
		GroupLoader: memLoader{e.rules},
	})
	groups, errs := mgr.LoadGroups(e.evalInterval, labels.EmptyLabels(), "", nil, "alerts.yml")
	if len(errs) > 0 {
		return fmt.Errorf("load rules: %v", errs)
	}
	for _, g := range groups {
		for _, r := range g.Rules() {
			if ar, ok := r.(*rules.AlertingRule); ok {
				ar.SetRestored(true)
			}
		}
	}
	sort.Slice(at, func(i, j int) bool { return at[i] < at[j] })
	mint := time.Unix(0, 0).UTC()
	next := 0
	for ts := time.Duration(0); next < len(at); ts += e.evalInterval {
		if err := st.appendTill(ts); err != nil {
			return err
		}
		for _, g := range groups {
			g.Eval(ctx, mint.Add(ts))
			for _, r := range g.Rules() {
				if r.LastError() != nil {
					return fmt.Errorf("rule %s at %s: %w", r.Name(), ts, r.LastError())
				}
			}
		}
		for next < len(at) && at[next] < ts+e.evalInterval {
			observe(at[next], firing(groups))
			next++
		}
		if ts >= e.steadyAfter && next < len(at) {
			// Every expression now gives the same result at each step, so
			// an alert's state only depends on when it became active: the
			// next evaluation that matters is the one the next check reads.
			ts = max(ts, at[next]/e.evalInterval*e.evalInterval-e.evalInterval)
		}
	}
	return nil
}

// firing lists the alerts in state firing across groups.
func firing(groups map[string]*rules.Group) []FiringAlert {
	var out []FiringAlert
	for _, g := range groups {
		for _, r := range g.AlertingRules() {
			for _, a := range r.ActiveAlerts() {
				if a.State == rules.StateFiring {
					out = append(out, FiringAlert{Labels: a.Labels.Map(), Annotations: a.Annotations.Map()})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return labels.FromMap(out[i].Labels).String() < labels.FromMap(out[j].Labels).String()
	})
	return out
}

// fmtNum formats a float exactly, without exponent: the stimuli of small
// thresholds are small numbers, and rounding them could cross the threshold.
func fmtNum(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}
