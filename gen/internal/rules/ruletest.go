package rules

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/memo"
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// RuleCase is one rule test: input series, and at given times exactly which
// alerts must be firing.
type RuleCase struct {
	Name string
	Env  string
	// Alert is the alert a derived case is about ("" for hand-written ones).
	Alert string
	// Path is the CUE path of what the case is about, to locate failures.
	Path model.Path
	// Groups are the environments whose rule groups of alerts the case
	// evaluates; RuleGroups, when set, name the groups instead (an SLO's).
	Groups     []string
	RuleGroups []string
	// Batch, when set, names the cases evaluated together (see runBatch);
	// in a batch a case contributes Stimulus, its own environment's
	// series, and the other cases' environments are its neighbours.
	// Series adds one neighbour to Stimulus, for the case run alone
	// (promtool's test file).
	Batch    string
	Stimulus []model.InputSeries
	Series   []model.InputSeries
	Interval time.Duration
	Horizon  time.Duration
	// SteadyAfter is when the inputs become steady and FillStep how far
	// apart evaluations may be until then, or until DenseFrom (see
	// ruleEvaluation). Zero for all: every evaluation step runs.
	SteadyAfter, FillStep, DenseFrom, DenseUntil time.Duration
	Expect                                       []Expectation
	// Undeclared lists the expected alerts that declare neither their
	// annotations nor their value: promtool compares annotations, so a
	// case has to state them.
	Undeclared []string
}

// Expectation says which alerts fire at time At: exactly Firing, compared by
// labels, and by annotations where the expectation gives them.
type Expectation struct {
	At     time.Duration
	Firing []model.ExpectedAlert
	// Samples are expressions and exactly the samples each gives at At.
	Samples []model.ExprSamples
}

// labelRef finds the labels an alert template reads ($labels.x, .Labels.x,
// index $labels "x"). Prometheus expands a missing one to "" (missingkey=zero),
// so it has to be found in the template, not in the output.
var labelRef = regexp.MustCompile(`(?:\$labels|\.Labels)\.([a-zA-Z_][a-zA-Z0-9_]*)|index\s+(?:\$labels|\.Labels)\s+"([^"]+)"`)

// templateLabels lists the label names a template reads.
func templateLabels(tmpl string) []string {
	var out []string
	for _, m := range labelRef.FindAllStringSubmatch(tmpl, -1) {
		out = append(out, m[1]+m[2])
	}
	return out
}

// DeriveRuleCases builds, for every alert of every environment, a case just
// above its threshold (quiet before `for` has passed, then exactly that
// alert fires) and one just below (nothing fires). Each case evaluates its
// own environment's rule group, in a batch with the other environments as
// busy neighbours in the opposite state, whose series it must not select
// (run alone, as in promtool's file, the next environment's healthy API is
// its neighbour). Samples come once per scrape interval and every time is
// derived from the environment's own window and `for` and the stack's
// intervals, never from fixed numbers.
func DeriveRuleCases(s *model.Stack) ([]RuleCase, error) {
	scrape, eval, err := intervals(s)
	if err != nil {
		return nil, err
	}
	// The environments' groups; the stack's own group has no thresholds per
	// environment, and its cases are written in CUE (derive/monitoring_tests.cue).
	// SLOs' groups have theirs, derived in CUE too (derive/slo_tests.cue).
	var groups []model.RuleGroup
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		if _, isEnv := s.Envs[g.Env]; isEnv && g.SLO == "" {
			groups = append(groups, g)
		}
	}
	var cases []RuleCase
	for i, g := range groups {
		stim := s.RuleStimuli[g.Env]
		var neighbour []model.InputSeries
		if len(groups) > 1 {
			neighbour = s.RuleStimuli[groups[(i+1)%len(groups)].Env].Healthy
		}
		for _, r := range g.Rules {
			st, ok := stim.Alerts[r.Alert]
			if !ok {
				return nil, fmt.Errorf("env %s: alert %s has no stimuli in ruleStimuli", g.Env, r.Alert)
			}
			// The expectations come from the environment's thresholds, not
			// from the rendered rule, so a rule that ignores them fails.
			th := s.Envs[g.Env].Alerts[r.Alert]
			forDur, err := parseDuration(th.For, "0s")
			if err != nil {
				return nil, fmt.Errorf("env %s: alert %s: for: %w", g.Env, r.Alert, err)
			}
			window, err := parseDuration(th.Window, "0s")
			if err != nil {
				return nil, fmt.Errorf("env %s: alert %s: window: %w", g.Env, r.Alert, err)
			}
			// The expression holds once its window is full (before that,
			// rate() extrapolates from the first sample); the alert fires
			// `for` later. Each step can lag by a scrape and an evaluation.
			//
			// While the window fills, the rules are evaluated once per
			// window, so that a day-long window costs a few evaluations,
			// not 2880; an alert may then become active up to a window
			// late, which settled allows for. One whose expression holds
			// earlier only fires earlier, and every check reads a real
			// evaluation of the rules.
			fill := max(eval, window/eval*eval)
			settled := window + fill + forDur + 2*scrape + 2*eval
			horizon := settled + 2*eval
			// A template that cannot be expanded leaves the expectation
			// undeclared: the rule-files check names the template, or
			// the rule-tests check reports the case.
			ann, err := annotations(r, promql.ExprLabels(s, r), st.Value)
			var undeclared []string
			if err != nil {
				undeclared = []string{"the expected annotations cannot be expanded: " + err.Error()}
			}
			above := []Expectation{{At: settled, Firing: []model.ExpectedAlert{{Labels: promql.AlertLabels(s, g, r), Annotations: ann}}}}
			if forDur >= eval {
				// One evaluation before `for` can have passed since the
				// first one, the alert is still pending.
				above = append([]Expectation{{At: forDur - eval}}, above...)
			}
			// The stimuli grow at constant rates from the start: once the
			// window is full, no expression changes any more.
			steady := window + 2*scrape + fill
			name := g.Env + "/" + r.Alert
			path := model.PathEnvAlert.At(g.Env, r.Alert)
			// One batch per alert and phase: in each, every other
			// environment is above while the others are below, so every
			// environment's neighbours are in the opposite state.
			batch := func(phase int) string { return fmt.Sprintf("%s/%d", r.Alert, (i+phase)%2) }
			cases = append(cases, RuleCase{
				Name: name + "/above", Env: g.Env, Alert: r.Alert, Path: path, Groups: []string{g.Env}, Interval: scrape,
				Batch: batch(0), Stimulus: st.Above, Series: append(append([]model.InputSeries{}, st.Above...), neighbour...),
				Horizon: horizon, SteadyAfter: steady, FillStep: fill, Expect: above, Undeclared: undeclared,
			}, RuleCase{
				Name: name + "/below", Env: g.Env, Alert: r.Alert, Path: path, Groups: []string{g.Env}, Interval: scrape,
				Batch: batch(1), Stimulus: st.Below, Series: append(append([]model.InputSeries{}, st.Below...), neighbour...),
				Horizon: horizon, SteadyAfter: steady, FillStep: fill, Expect: []Expectation{{At: settled}, {At: horizon}},
			})
		}
	}
	return cases, nil
}

// HandRuleCases converts the hand-written rule tests of derive/alerts_tests.cue.
// A test whose precondition does not hold for the configured values is not
// run; it is listed in skipped with the reason.
func HandRuleCases(s *model.Stack) (cases []RuleCase, skipped []string, err error) {
	ix := indexRules(s, nil)
	for i, t := range s.RuleTests {
		if t.Precondition != nil && !t.Precondition.Holds {
			skipped = append(skipped, fmt.Sprintf("rule test %q skipped: %s", t.Name, t.Precondition.Reason))
			continue
		}
		interval, err := pmodel.ParseDuration(t.Interval)
		if err != nil {
			return nil, nil, fmt.Errorf("rule test %q: interval: %w", t.Name, err)
		}
		every, err := parseDuration(t.EvaluateEvery, "0s")
		if err != nil {
			return nil, nil, fmt.Errorf("rule test %q: evaluate_every: %w", t.Name, err)
		}
		dense, err := parseDuration(t.DenseFrom, "0s")
		if err != nil {
			return nil, nil, fmt.Errorf("rule test %q: dense_from: %w", t.Name, err)
		}
		denseUntil, err := parseDuration(t.DenseUntil, "0s")
		if err != nil {
			return nil, nil, fmt.Errorf("rule test %q: dense_until: %w", t.Name, err)
		}
		c := RuleCase{Name: t.Name, Env: t.Env, Path: model.PathRuleTest.At(i), Series: t.Series,
			Groups: t.Evaluates, RuleGroups: t.Groups, Interval: time.Duration(interval), FillStep: every, DenseFrom: dense, DenseUntil: denseUntil}
		if len(c.Groups) == 0 {
			c.Groups = []string{t.Env}
		}
		for _, e := range t.Evals {
			at, err := pmodel.ParseDuration(e.At)
			if err != nil {
				return nil, nil, fmt.Errorf("rule test %q: at: %w", t.Name, err)
			}
			exp := Expectation{At: time.Duration(at), Samples: e.Samples}
			for _, w := range e.Firing {
				ok, err := declared(ix, &w)
				switch {
				case err != nil:
					c.Undeclared = append(c.Undeclared, fmt.Sprintf("at %s: the expected annotations cannot be expanded: %v", e.At, err))
				case !ok:
					c.Undeclared = append(c.Undeclared, fmt.Sprintf("at %s: alert %s declares neither its annotations nor the value of its expression; promtool compares annotations, so the case must state one of them", e.At, w.Labels["alertname"]))
				}
				exp.Firing = append(exp.Firing, w)
			}
			c.Expect = append(c.Expect, exp)
			c.Horizon = max(c.Horizon, time.Duration(at)+c.Interval)
		}
		cases = append(cases, c)
	}
	return cases, skipped, nil
}

// intervals are Prometheus's scrape and rule evaluation intervals.
func intervals(s *model.Stack) (scrape, eval time.Duration, err error) {
	g := s.Outputs.Prometheus.Config.Global
	if scrape, err = parseDuration(g.ScrapeInterval, ""); err != nil {
		return 0, 0, fmt.Errorf("scrape_interval: %w", err)
	}
	if eval, err = parseDuration(g.EvaluationInterval, ""); err != nil {
		return 0, 0, fmt.Errorf("evaluation_interval: %w", err)
	}
	return scrape, eval, nil
}

// parseDuration parses a Prometheus duration; an empty one is def.
func parseDuration(d, def string) (time.Duration, error) {
	if d == "" {
		d = def
	}
	v, err := pmodel.ParseDuration(d)
	return time.Duration(v), err
}

// runBatch evaluates cases together, on one storage holding the series of
// all of them, and judges each case on the alerts of its own rule groups.
// Cases batched together read disjoint series (each its environment's
// job) and evaluate disjoint groups; each is judged on its own group's
// alerts at its own check times, with the other cases' environments as its
// busy neighbours. Together they cost one storage and one run of
// evaluations (the union of their schedules) instead of one per case.
func runBatch(s *model.Stack, ix *stackRules, cases []RuleCase) ([]RuleRun, error) {
	_, eval, err := intervals(s)
	if err != nil {
		return nil, err
	}
	ev := ruleEvaluation{evalInterval: eval, interval: cases[0].Interval}
	runs := make([]RuleRun, len(cases))
	for i, c := range cases {
		runs[i] = RuleRun{Case: c}
		ev.series = append(ev.series, c.batchSeries()...)
		ev.horizon = max(ev.horizon, c.Horizon)
		sc := schedule{steadyAfter: c.SteadyAfter, fillStep: c.FillStep, denseFrom: c.DenseFrom, denseUntil: c.DenseUntil}
		for _, e := range c.Expect {
			sc.checks = append(sc.checks, e.At)
		}
		slices.Sort(sc.checks)
		ev.schedules = append(ev.schedules, sc)
	}
	ev.rules = ix.groupsOf(cases)
	err = ev.run(func(t time.Duration, got []FiringAlert, query queryFunc) {
		byGroup := map[string][]FiringAlert{}
		for _, a := range got {
			byGroup[a.Group] = append(byGroup[a.Group], a)
		}
		for i := range runs {
			run := &runs[i]
			for _, e := range run.Case.Expect {
				if e.At == t {
					// Each case reads its own groups' alerts, looked up
					// by name, not through every other case's.
					var own []FiringAlert
					for _, n := range ix.evaluated(run.Case) {
						own = append(own, byGroup[n]...)
					}
					run.Failures = append(run.Failures, judge(ix, t, e.Firing, own)...)
					run.Failures = append(run.Failures, judgeSamples(t, e.Samples, query)...)
				}
			}
		}
	})
	return runs, err
}

// batchSeries is what the case loads when evaluated in its batch.
func (c RuleCase) batchSeries() []model.InputSeries {
	if c.Batch != "" {
		return c.Stimulus
	}
	return c.Series
}

// judge compares what fires at t with what should: exactly these alerts,
// with the annotations the expectation gives, whose templates only read
// labels the alert carries.
func judge(ix *stackRules, t time.Duration, want []model.ExpectedAlert, got []FiringAlert) []string {
	var failures []string
	var gotLabels []map[string]string
	for _, a := range got {
		gotLabels = append(gotLabels, a.Labels)
		r, _ := ix.ruleOf(a.Labels)
		for _, k := range slices.Sorted(maps.Keys(r.Annotations)) {
			for _, l := range templateLabels(r.Annotations[k]) {
				if _, ok := a.Labels[l]; !ok {
					failures = append(failures, fmt.Sprintf("at %s: alert %s: annotation %s reads label %q, which the firing alert does not carry (it renders %q)", t, a.Labels["alertname"], k, l, a.Annotations[k]))
				}
			}
		}
	}
	var wantLabels []map[string]string
	for _, w := range want {
		wantLabels = append(wantLabels, w.Labels)
	}
	if diff := cmp.Diff(sortLabelSets(wantLabels), sortLabelSets(gotLabels)); diff != "" {
		return append(failures, fmt.Sprintf("at %s: want firing %s, got %s", t, fmtAlerts(wantLabels), fmtAlerts(gotLabels)))
	}
	return append(failures, annotationFailures(t, want, got)...)
}

// annotationFailures compares the annotations of the alerts whose
// expectation declares them.
func annotationFailures(t time.Duration, want []model.ExpectedAlert, got []FiringAlert) []string {
	var out []string
	for _, w := range want {
		if w.Annotations == nil {
			continue
		}
		for _, g := range got {
			if labels.Equal(labels.FromMap(w.Labels), labels.FromMap(g.Labels)) {
				if diff := cmp.Diff(w.Annotations, g.Annotations); diff != "" {
					out = append(out, fmt.Sprintf("at %s: alert %s: annotations differ (-want +got):\n%s", t, w.Labels["alertname"], diff))
				}
			}
		}
	}
	return out
}

func sortLabelSets(sets []map[string]string) []string {
	out := []string{}
	for _, s := range sets {
		out = append(out, labels.FromMap(s).String())
	}
	sort.Strings(out)
	return out
}

func fmtAlerts(sets []map[string]string) string {
	if len(sets) == 0 {
		return "nothing"
	}
	return strings.Join(sortLabelSets(sets), ", ")
}

// AllRuleCases is every rule case: derived, then hand-written, and the
// hand-written ones skipped because their precondition does not hold.
func AllRuleCases(s *model.Stack) ([]RuleCase, []string, error) {
	derived, err := DeriveRuleCases(s)
	if err != nil {
		return nil, nil, err
	}
	hand, skipped, err := HandRuleCases(s)
	return append(derived, hand...), skipped, err
}

// CheckRuleTests runs every rule case on Prometheus's engine, on the
// rendered rule file, and reports each failure, and each expected alert
// whose annotations the case does not declare, at the case's CUE position.
func CheckRuleTests(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Alerts
	rules, errs := rulefmt.Parse(files[out.Path])
	if len(errs) > 0 {
		return nil // the rule-files check reports why the rules cannot load
	}
	cases, _, err := AllRuleCases(m.Stack)
	if err != nil {
		return model.Problems{{Scope: "stack: rule tests", Msg: err.Error()}}
	}
	runs, err := runRemembered(m.Stack, files[out.Path], rules, cases)
	if err != nil {
		return model.Problems{{Scope: "stack: rule tests", Msg: err.Error()}}
	}
	var ps model.Problems
	for _, run := range runs {
		c := run.Case
		for _, f := range append(c.Undeclared, run.Failures...) {
			ps = append(ps, model.Problem{
				Pos:   m.PosOf("", c.Path),
				Scope: fmt.Sprintf("env %s: %s: case %s", c.Env, path.Base(out.Path), c.Name),
				Msg:   f,
			})
		}
	}
	return ps
}

// runs remembers the rule cases' runs by what they read.
var runs memo.Cache[[]RuleRun]

// runRemembered is Run, remembered by everything a run reads: the rule
// file, the cases, and the stack's rule groups and intervals.
func runRemembered(s *model.Stack, file []byte, rules *rulefmt.RuleGroups, cases []RuleCase) ([]RuleRun, error) {
	var inputs [][]byte
	for _, v := range []any{cases, s.Outputs.Alerts.Rules, s.Outputs.Prometheus.Config.Global} {
		data, err := json.Marshal(v)
		if err != nil {
			return nil, err
		}
		inputs = append(inputs, data)
	}
	return runs.Do(append(inputs, file), func() ([]RuleRun, error) { return Run(s, rules, cases), nil })
}

// judgeSamples compares what each expression gives at t with exactly the
// samples the case declares: the same series, each with the same value (a
// NaN equals nothing, as in promtool).
func judgeSamples(t time.Duration, want []model.ExprSamples, query queryFunc) []string {
	var failures []string
	for _, w := range want {
		got, err := query(w.Expr, t)
		if err != nil {
			failures = append(failures, fmt.Sprintf("at %s: %s: %v", t, w.Expr, err))
			continue
		}
		var gotS, wantS []string
		for _, smp := range got {
			gotS = append(gotS, fmt.Sprintf("%s %v", smp.Metric, smp.F))
		}
		for _, ws := range w.Want {
			ls, err := parser.ParseMetric(ws.Series)
			if err != nil {
				failures = append(failures, fmt.Sprintf("at %s: %s: series %s: %v", t, w.Expr, ws.Series, err))
				continue
			}
			wantS = append(wantS, fmt.Sprintf("%s %v", ls, ws.Value))
		}
		sort.Strings(gotS)
		sort.Strings(wantS)
		if !slices.Equal(gotS, wantS) {
			failures = append(failures, fmt.Sprintf("at %s: %s gives\n    %s\n  want\n    %s", t, w.Expr, strings.Join(gotS, "\n    "), strings.Join(wantS, "\n    ")))
		}
	}
	return failures
}
