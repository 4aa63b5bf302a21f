package rules

import (
	"context"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/rules"

	"github.com/lms/lms-ops/gen/internal/model"
)

// FiringAlert is an alert firing at some evaluation time, and the rule
// group that raised it.
type FiringAlert struct {
	Group       string
	Labels      map[string]string
	Annotations map[string]string
}

// ruleEvaluation evaluates a rule file the way the Prometheus 2.54.1
// server does (and `promtool test rules`): its rule manager and PromQL
// engine, on synthetic series sampled once per interval.
type ruleEvaluation struct {
	rules        *rulefmt.RuleGroups
	evalInterval time.Duration
	// interval is the spacing of the input samples.
	interval time.Duration
	series   []model.InputSeries
	horizon  time.Duration
	// schedules say when the cases evaluated together need evaluations;
	// the rules are evaluated at every time any of them needs.
	schedules []schedule
}

// schedule is when one case needs the rules evaluated: at each of its
// checks, and before them on the server's evaluation grid, every step or,
// where the inputs allow, fewer.
type schedule struct {
	// checks are the times the case reads what fires, ascending.
	checks []time.Duration
	// steadyAfter is when the inputs have become steady: from then on
	// every series grows at a constant rate and every window is full, so
	// every expression's result stays the same. Evaluations after it
	// that no check reads are skipped. Zero: never.
	steadyAfter time.Duration
	// fillStep spaces the evaluations before steadyAfter, rounded down to
	// the evaluation interval. Zero: every step.
	fillStep time.Duration
	// denseFrom and denseUntil bound a stretch where fillStep does not
	// apply and every step runs (a case that knows when its verdict
	// forms). Zero: fillStep throughout; denseUntil zero: to the end.
	denseFrom, denseUntil time.Duration
}

// queryFunc evaluates a PromQL expression at a time, on the storage the
// rules have written to so far.
type queryFunc func(expr string, at time.Duration) (promql.Vector, error)

// memLoader serves the parsed rule groups to the rule manager.
type memLoader struct{ rules *rulefmt.RuleGroups }

func (l memLoader) Load(string) (*rulefmt.RuleGroups, []error) { return l.rules, nil }
func (memLoader) Parse(q string) (parser.Expr, error)          { return parser.ParseExpr(q) }

// run evaluates every group at each step from 0 to the last check time and
// calls observe with the alerts firing at each time in at, and a query
// function on the storage as it is then.
func (e ruleEvaluation) run(observe func(time.Duration, []FiringAlert, queryFunc)) error {
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
	loaded, errs := mgr.LoadGroups(e.evalInterval, labels.EmptyLabels(), "", nil, "alerts.yml")
	if len(errs) > 0 {
		return fmt.Errorf("load rules: %v", errs)
	}
	groups := inFileOrder(loaded, e.rules)
	for _, g := range groups {
		for _, r := range g.Rules() {
			if ar, ok := r.(*rules.AlertingRule); ok {
				ar.SetRestored(true)
			}
		}
	}
	var at []time.Duration
	for _, sc := range e.schedules {
		at = append(at, sc.checks...)
	}
	slices.Sort(at)
	at = slices.Compact(at)
	mint := time.Unix(0, 0).UTC()
	// A query at a check reads the samples up to it, as promtool's
	// promql_expr_test does once every evaluation has run.
	query := func(expr string, at time.Duration) (promql.Vector, error) {
		if err := st.appendTill(at); err != nil {
			return nil, err
		}
		q, err := engine.NewInstantQuery(ctx, st, nil, expr, mint.Add(at))
		if err != nil {
			return nil, err
		}
		defer q.Close()
		return q.Exec(ctx).Vector()
	}
	next := 0
	for ts := time.Duration(0); next < len(at); {
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
			observe(at[next], firing(groups), query)
			next++
		}
		if next < len(at) {
			ts = e.nextEval(ts)
		}
	}
	return nil
}

// nextEval is the evaluation after ts that some case's schedule needs.
func (e ruleEvaluation) nextEval(ts time.Duration) time.Duration {
	next := time.Duration(math.MaxInt64)
	for _, sc := range e.schedules {
		if n, ok := sc.next(ts, e.evalInterval); ok {
			next = min(next, n)
		}
	}
	return next
}

// next is the evaluation after ts on the evaluation grid: the next step,
// or a later one where the inputs allow (fillStep, steadyAfter), never
// past the last step before the next check. false when no check is left.
func (sc schedule) next(ts, eval time.Duration) (time.Duration, bool) {
	i, _ := slices.BinarySearch(sc.checks, ts+eval)
	if i == len(sc.checks) {
		return 0, false
	}
	last := sc.checks[i] / eval * eval
	step := eval
	dense := sc.denseFrom > 0 && ts+eval >= sc.denseFrom && (sc.denseUntil == 0 || ts < sc.denseUntil)
	switch {
	case sc.steadyAfter > 0 && ts >= sc.steadyAfter:
		// Every expression now gives the same result at each step, so an
		// alert's state only depends on when it became active: the next
		// evaluation that matters is the one the next check reads.
		return max(last, ts+eval), true
	case sc.fillStep > eval && !dense:
		step = sc.fillStep / eval * eval
	}
	next := min(ts+step, max(last, ts+eval))
	if sc.denseFrom > ts {
		// Never past the last step before denseFrom.
		next = min(next, max(sc.denseFrom/eval*eval, ts+eval))
	}
	return next, true
}

// inFileOrder orders the loaded groups as the rule file lists them, so
// that each evaluation runs them in one order: a group that reads what
// another records (an SLO's budget, its error ratios) reads the same
// evaluation's, whatever evaluations a case skips.
func inFileOrder(loaded map[string]*rules.Group, file *rulefmt.RuleGroups) []*rules.Group {
	pos := map[string]int{}
	for i, g := range file.Groups {
		pos[g.Name] = i
	}
	out := slices.Collect(maps.Values(loaded))
	slices.SortFunc(out, func(a, b *rules.Group) int { return pos[a.Name()] - pos[b.Name()] })
	return out
}

// firing lists the alerts in state firing across groups.
func firing(groups []*rules.Group) []FiringAlert {
	var out []FiringAlert
	for _, g := range groups {
		for _, r := range g.AlertingRules() {
			for _, a := range r.ActiveAlerts() {
				if a.State == rules.StateFiring {
					out = append(out, FiringAlert{Group: g.Name(), Labels: a.Labels.Map(), Annotations: a.Annotations.Map()})
				}
			}
		}
	}
	sort.Slice(out, func(i, j int) bool {
		return labels.FromMap(out[i].Labels).String() < labels.FromMap(out[j].Labels).String()
	})
	return out
}
