package gen

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/promql/promqltest"
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
	ruleFile     []byte
	evalInterval time.Duration
	// interval is the spacing of the input samples.
	interval time.Duration
	series   []InputSeries
	horizon  time.Duration
}

// memLoader serves the rendered rule file to the rule manager.
type memLoader struct{ data []byte }

func (l memLoader) Load(string) (*rulefmt.RuleGroups, []error) { return rulefmt.Parse(l.data) }
func (memLoader) Parse(q string) (parser.Expr, error)          { return parser.ParseExpr(q) }

// loadNotation formats the series as promqltest's load command.
func (e ruleEvaluation) loadNotation() string {
	n := int(e.horizon / e.interval)
	var b strings.Builder
	fmt.Fprintf(&b, "load %s\n", model.Duration(e.interval))
	for _, s := range e.series {
		fmt.Fprintf(&b, "  %s %s\n", s.Series, s.loadValues(n))
	}
	return b.String()
}

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
	suite, err := promqltest.NewLazyLoader(e.loadNotation(), promqltest.LazyLoaderOpts{EnableAtModifier: true, EnableNegativeOffset: true})
	if err != nil {
		return fmt.Errorf("load series: %w", err)
	}
	defer suite.Close()
	suite.SubqueryInterval = e.evalInterval
	mgr := rules.NewManager(&rules.ManagerOptions{
		QueryFunc:   rules.EngineQueryFunc(suite.QueryEngine(), suite.Storage()),
		Appendable:  suite.Storage(),
		Context:     context.Background(),
		NotifyFunc:  func(context.Context, string, ...*rules.Alert) {},
		Logger:      log.NewNopLogger(),
		GroupLoader: memLoader{e.ruleFile},
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
		var evalErr error
		suite.WithSamplesTill(mint.Add(ts), func(err error) {
			if err != nil {
				evalErr = err
				return
			}
			for _, g := range groups {
				g.Eval(suite.Context(), mint.Add(ts))
				for _, r := range g.Rules() {
					if r.LastError() != nil {
						evalErr = fmt.Errorf("rule %s at %s: %w", r.Name(), ts, r.LastError())
					}
				}
			}
		})
		if evalErr != nil {
			return evalErr
		}
		for next < len(at) && at[next] < ts+e.evalInterval {
			observe(at[next], firing(groups))
			next++
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

// fmtNum formats a float without exponent or trailing zeros.
func fmtNum(f float64) string {
	s := fmt.Sprintf("%.6f", f)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	if s == "" || s == "-0" {
		return "0"
	}
	return s
}
