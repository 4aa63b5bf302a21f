package gen

import (
	"fmt"
	"path"
	"runtime"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
)

// RuleRun is the outcome of one rule case on Prometheus's engine.
type RuleRun struct {
	Case     RuleCase
	Failures []string
	// Observed are the alerts firing at each expectation time.
	Observed map[time.Duration][]FiringAlert
}

// RunRuleCases evaluates every rule case once, a batch of cases (or a case
// alone) per storage and engine, the batches concurrently; gen renders the promtool test file from the
// runs and the rule-tests check reads their failures. skipped lists the
// hand-written cases whose precondition does not hold. A rule file that
// does not parse runs nothing: the rule-files check says why.
func RunRuleCases(s *Stack, ruleFile []byte) (runs []RuleRun, skipped []string, err error) {
	cases, skipped, err := AllRuleCases(s)
	if err != nil {
		return nil, nil, err
	}
	rules, errs := rulefmt.Parse(ruleFile)
	if len(errs) > 0 {
		return nil, skipped, nil
	}
	// Cases of one batch run together; every other case runs alone.
	var batches [][]int
	index := map[string]int{}
	for i, c := range cases {
		k, ok := index[c.Batch]
		if !ok || c.Batch == "" {
			k = len(batches)
			index[c.Batch] = k
			batches = append(batches, nil)
		}
		batches[k] = append(batches[k], i)
	}
	runs = make([]RuleRun, len(cases))
	var wg sync.WaitGroup
	next := make(chan []int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for batch := range next {
				var bc []RuleCase
				for _, i := range batch {
					bc = append(bc, cases[i])
				}
				got, err := runBatch(s, rules, bc)
				for k, i := range batch {
					switch {
					case err != nil:
						runs[i] = RuleRun{Case: cases[i], Failures: []string{err.Error()}}
					default:
						runs[i] = got[k]
					}
				}
			}
		})
	}
	for _, b := range batches {
		next <- b
	}
	close(next)
	wg.Wait()
	return runs, skipped, nil
}

// promtoolFile is a `promtool test rules` file.
type promtoolFile struct {
	RuleFiles          []string       `yaml:"rule_files"`
	EvaluationInterval string         `yaml:"evaluation_interval"`
	Tests              []promtoolTest `yaml:"tests"`
}

type promtoolTest struct {
	Name          string              `yaml:"name"`
	Interval      string              `yaml:"interval"`
	InputSeries   []promtoolSeries    `yaml:"input_series"`
	AlertRuleTest []promtoolAlertTest `yaml:"alert_rule_test"`
}

type promtoolSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

type promtoolAlertTest struct {
	EvalTime  string              `yaml:"eval_time"`
	Alertname string              `yaml:"alertname"`
	ExpAlerts []promtoolExpAlerts `yaml:"exp_alerts"`
}

type promtoolExpAlerts struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations,omitempty"`
}

// PromtoolTestsPath is where the promtool test file goes: beside the rule
// file, so `promtool test rules` runs from the ops tree as it is.
func PromtoolTestsPath(s *Stack) string {
	return path.Join(path.Dir(s.Outputs.Alerts.Path), "tests", "alerts_test.yml")
}

// renderPromtoolTests writes every rule case as a promtool test: the same
// series, and at each time, for every alert name of the rule file, exactly
// the alerts the case expects, with the annotations Prometheus's engine
// rendered for them. `promtool test rules` must then agree with check.
func renderPromtoolTests(s *Stack, runs []RuleRun) ([]byte, error) {
	names := map[string]bool{}
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			names[r.Alert] = true
		}
	}
	f := promtoolFile{
		RuleFiles:          []string{path.Join("..", path.Base(s.Outputs.Alerts.Path))},
		EvaluationInterval: s.Outputs.Prometheus.Config.Global.EvaluationInterval,
	}
	for _, run := range runs {
		c := run.Case
		t := promtoolTest{Name: c.Name, Interval: model.Duration(c.Interval).String()}
		n := int(c.Horizon / c.Interval)
		for _, in := range c.Series {
			t.InputSeries = append(t.InputSeries, promtoolSeries{in.Series, in.loadValues(n)})
		}
		for _, e := range c.Expect {
			for _, name := range sortedKeys(names) {
				at := promtoolAlertTest{EvalTime: model.Duration(e.At).String(), Alertname: name, ExpAlerts: []promtoolExpAlerts{}}
				for _, want := range e.Firing {
					if want.Labels["alertname"] != name {
						continue
					}
					at.ExpAlerts = append(at.ExpAlerts, promtoolExpAlerts{ExpLabels: withoutAlertname(want.Labels), ExpAnnotations: observedAnnotations(run.Observed[e.At], want.Labels)})
				}
				sort.Slice(at.ExpAlerts, func(i, j int) bool {
					return fmt.Sprint(at.ExpAlerts[i].ExpLabels) < fmt.Sprint(at.ExpAlerts[j].ExpLabels)
				})
				t.AlertRuleTest = append(t.AlertRuleTest, at)
			}
		}
		f.Tests = append(f.Tests, t)
	}
	return renderYAML(s.GeneratedHeader, f)
}

// observedAnnotations returns the annotations of the firing alert with
// exactly these labels, as the engine expanded them.
func observedAnnotations(got []FiringAlert, want map[string]string) map[string]string {
	for _, g := range got {
		if fmt.Sprint(g.Labels) == fmt.Sprint(want) {
			return g.Annotations
		}
	}
	return nil
}

func withoutAlertname(ls map[string]string) map[string]string {
	out := map[string]string{}
	for k, v := range ls {
		if k != "alertname" {
			out[k] = v
		}
	}
	return out
}
