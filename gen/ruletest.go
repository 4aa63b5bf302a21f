package gen

import (
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
)

// RuleCase is one rule test: input series, and at given times exactly which
// alerts must be firing.
type RuleCase struct {
	Name string
	Env  string
	// Alert is the alert a derived case is about ("" for hand-written ones).
	Alert string
	// Path is the CUE path of what the case is about, to locate failures.
	Path     string
	Series   []InputSeries
	Interval time.Duration
	Horizon  time.Duration
	Expect   []Expectation
}

// Expectation says which alerts fire at time At: exactly Firing, compared by
// labels, and by annotations where the expectation gives them.
type Expectation struct {
	At     time.Duration
	Firing []ExpectedAlert
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

// ruleOf finds the rule that raised a firing alert: same name, and every
// rule label on the alert.
func ruleOf(s *Stack, alert map[string]string) (AlertRule, bool) {
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			match := r.Alert == alert["alertname"]
			for k, v := range r.Labels {
				match = match && alert[k] == v
			}
			if match {
				return r, true
			}
		}
	}
	return AlertRule{}, false
}

// DeriveRuleCases builds, for every alert of every environment, a case just
// above its threshold (quiet before `for` has passed, then exactly that
// alert fires) and one just below (nothing fires), with every other
// environment healthy and busy.
func DeriveRuleCases(s *Stack) ([]RuleCase, error) {
	var cases []RuleCase
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		stim := s.RuleStimuli[g.Env]
		var others []InputSeries
		for _, o := range sortedKeys(s.RuleStimuli) {
			if o != g.Env {
				others = append(others, s.RuleStimuli[o].Healthy...)
			}
		}
		for _, r := range g.Rules {
			st, ok := stim.Alerts[r.Alert]
			if !ok {
				return nil, fmt.Errorf("env %s: alert %s has no stimuli in ruleStimuli", g.Env, r.Alert)
			}
			// The expectations come from the environment's thresholds, not
			// from the rendered rule, so a rule that ignores them fails.
			th := s.Envs[g.Env].Alerts[r.Alert]
			forDur, err := model.ParseDuration(th.For)
			if err != nil {
				return nil, fmt.Errorf("env %s: alert %s: for: %w", g.Env, r.Alert, err)
			}
			window := time.Duration(0)
			if th.Window != "" {
				w, err := model.ParseDuration(th.Window)
				if err != nil {
					return nil, fmt.Errorf("env %s: alert %s: window: %w", g.Env, r.Alert, err)
				}
				window = time.Duration(w)
			}
			settled := time.Duration(forDur) + window + 2*time.Minute
			horizon := settled + 5*time.Minute
			early := time.Duration(forDur) - evalInterval(s)
			name := g.Env + "/" + r.Alert
			path := "envs." + g.Env + ".alerts." + r.Alert
			cases = append(cases, RuleCase{
				Name: name + "/above", Env: g.Env, Alert: r.Alert, Path: path, Interval: time.Minute,
				Series: append(append([]InputSeries{}, st.Above...), others...), Horizon: horizon,
				Expect: []Expectation{{At: early}, {At: settled, Firing: []ExpectedAlert{{Labels: AlertLabels(s, g, r)}}}},
			}, RuleCase{
				Name: name + "/below", Env: g.Env, Alert: r.Alert, Path: path, Interval: time.Minute,
				Series: append(append([]InputSeries{}, st.Below...), others...), Horizon: horizon,
				Expect: []Expectation{{At: settled}, {At: horizon}},
			})
		}
	}
	return cases, nil
}

// HandRuleCases converts the hand-written rule tests of envs/alerttests.cue.
func HandRuleCases(s *Stack) ([]RuleCase, error) {
	var cases []RuleCase
	for i, t := range s.RuleTests {
		interval, err := model.ParseDuration(t.Interval)
		if err != nil {
			return nil, fmt.Errorf("rule test %q: interval: %w", t.Name, err)
		}
		c := RuleCase{Name: t.Name, Env: t.Env, Path: fmt.Sprintf("ruleTests[%d]", i), Series: t.Series, Interval: time.Duration(interval)}
		for _, e := range t.Evals {
			at, err := model.ParseDuration(e.At)
			if err != nil {
				return nil, fmt.Errorf("rule test %q: at: %w", t.Name, err)
			}
			c.Expect = append(c.Expect, Expectation{At: time.Duration(at), Firing: e.Firing})
			c.Horizon = max(c.Horizon, time.Duration(at)+c.Interval)
		}
		cases = append(cases, c)
	}
	return cases, nil
}

// evalInterval is Prometheus's rule evaluation interval.
func evalInterval(s *Stack) time.Duration {
	d, err := model.ParseDuration(s.Outputs.Prometheus.Config.Global.EvaluationInterval)
	if err != nil {
		return time.Minute
	}
	return time.Duration(d)
}

// RunRuleCase evaluates the rendered rule file on the case's series and
// returns what differs from the expectations. Every firing alert must also
// have annotations that only use labels it carries.
func RunRuleCase(s *Stack, ruleFile []byte, c RuleCase) ([]string, error) {
	return runRuleCase(s, ruleFile, c, nil)
}

// runRuleCase is RunRuleCase that also hands what fires at each
// expectation time to observe, when not nil.
func runRuleCase(s *Stack, ruleFile []byte, c RuleCase, observe func(time.Duration, []FiringAlert)) ([]string, error) {
	ev := ruleEvaluation{ruleFile: ruleFile, evalInterval: evalInterval(s), interval: c.Interval, series: c.Series, horizon: c.Horizon}
	var at []time.Duration
	want := map[time.Duration][]ExpectedAlert{}
	for _, e := range c.Expect {
		at = append(at, e.At)
		want[e.At] = e.Firing
	}
	var failures []string
	err := ev.run(at, func(t time.Duration, got []FiringAlert) {
		if observe != nil {
			observe(t, got)
		}
		var gotLabels []map[string]string
		for _, a := range got {
			gotLabels = append(gotLabels, a.Labels)
			r, _ := ruleOf(s, a.Labels)
			for _, k := range sortedKeys(r.Annotations) {
				for _, l := range templateLabels(r.Annotations[k]) {
					if _, ok := a.Labels[l]; !ok {
						failures = append(failures, fmt.Sprintf("at %s: alert %s: annotation %s reads label %q, which the firing alert does not carry (it renders %q)", t, a.Labels["alertname"], k, l, a.Annotations[k]))
					}
				}
			}
		}
		var wantLabels []map[string]string
		for _, w := range want[t] {
			wantLabels = append(wantLabels, w.Labels)
		}
		if diff := cmp.Diff(sortLabelSets(wantLabels), sortLabelSets(gotLabels)); diff != "" {
			failures = append(failures, fmt.Sprintf("at %s: want firing %s, got %s", t, fmtAlerts(wantLabels), fmtAlerts(gotLabels)))
			return
		}
		failures = append(failures, annotationFailures(t, want[t], got)...)
	})
	return failures, err
}

// annotationFailures compares the annotations of the alerts whose
// expectation gives them.
func annotationFailures(t time.Duration, want []ExpectedAlert, got []FiringAlert) []string {
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

// AllRuleCases is every rule case: derived, then hand-written.
func AllRuleCases(s *Stack) ([]RuleCase, error) {
	derived, err := DeriveRuleCases(s)
	if err != nil {
		return nil, err
	}
	hand, err := HandRuleCases(s)
	return append(derived, hand...), err
}

// checkRuleTests reports the failures of every rule case (run once by
// Generate, on Prometheus's engine), and requires every alert of every
// environment to have a case where it fires and one where it stays quiet.
func checkRuleTests(m *Model, files Files) Problems {
	out := m.Stack.Outputs.Alerts
	if _, errs := rulefmt.Parse(files[out.Path]); len(errs) > 0 {
		return nil // checkRuleFiles reports why the rules cannot load
	}
	runs := m.RuleRuns
	if runs == nil {
		var err error
		if runs, err = RunRuleCases(m.Stack, files[out.Path]); err != nil {
			return Problems{{Scope: "stack: rule tests", Msg: err.Error()}}
		}
	}
	var ps Problems
	var cases []RuleCase
	for _, run := range runs {
		c := run.Case
		cases = append(cases, c)
		for _, f := range run.Failures {
			ps = append(ps, Problem{
				Pos:   m.PosOf("", c.Path),
				Scope: fmt.Sprintf("env %s: %s: case %s", c.Env, path.Base(out.Path), c.Name),
				Msg:   f,
			})
		}
	}
	return append(ps, ruleCoverage(m, cases)...)
}

// ruleCoverage: every alert × environment has a firing and a quiet case.
func ruleCoverage(m *Model, cases []RuleCase) Problems {
	firing, quiet := map[string]bool{}, map[string]bool{}
	for _, c := range cases {
		for _, e := range c.Expect {
			fired := map[string]bool{}
			for _, f := range e.Firing {
				fired[f.Labels["alertname"]] = true
				firing[c.Env+"/"+f.Labels["alertname"]] = true
			}
			for a := range m.Stack.Envs[c.Env].Alerts {
				if !fired[a] {
					quiet[c.Env+"/"+a] = true
				}
			}
		}
	}
	var ps Problems
	for _, g := range m.Stack.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			k := g.Env + "/" + r.Alert
			if !firing[k] || !quiet[k] {
				ps = append(ps, Problem{Scope: fmt.Sprintf("env %s: alert %s", g.Env, r.Alert), Rule: "rule-coverage",
					Msg: fmt.Sprintf("needs a rule test where it fires (%v) and one where it stays quiet (%v)", firing[k], quiet[k])})
			}
		}
	}
	return ps
}
