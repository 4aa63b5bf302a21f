package rules

import (
	"fmt"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"sync"

	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render"
)

// RuleRun is the outcome of one rule case on Prometheus's engine.
type RuleRun struct {
	Case     RuleCase
	Failures []string
}

// Run evaluates every case once, a batch of cases (or a case alone) per
// storage and engine, the batches concurrently, and judges each against
// its declared expectations.
func Run(s *model.Stack, rules *rulefmt.RuleGroups, cases []RuleCase) []RuleRun {
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
	ix := indexRules(s, rules)
	runs := make([]RuleRun, len(cases))
	var wg sync.WaitGroup
	next := make(chan []int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for batch := range next {
				var bc []RuleCase
				for _, i := range batch {
					bc = append(bc, cases[i])
				}
				got, err := runBatch(s, ix, bc)
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
	return runs
}

// promtoolFile is a promtool test file but its tests, which PromtoolFile
// writes as the list after it (render.YAMLList).
type promtoolFile struct {
	RuleFiles          []string `yaml:"rule_files"`
	EvaluationInterval string   `yaml:"evaluation_interval"`
}

type promtoolTest struct {
	Name          string              `yaml:"name"`
	Interval      string              `yaml:"interval"`
	InputSeries   []promtoolSeries    `yaml:"input_series"`
	AlertRuleTest []promtoolAlertTest `yaml:"alert_rule_test"`
	ExprTest      []promtoolExprTest  `yaml:"promql_expr_test,omitempty"`
}

type promtoolExprTest struct {
	Expr       string           `yaml:"expr"`
	EvalTime   string           `yaml:"eval_time"`
	ExpSamples []promtoolSample `yaml:"exp_samples"`
}

type promtoolSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
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

// PromtoolFile writes every rule case as a promtool test: the same series,
// and at each time, for every alert name of the rule groups the case
// evaluates, exactly the alerts the case expects, with the annotations it
// declares. promtool evaluates every group, but, as in the rule-tests
// check, a case judges only its own groups' alerts (the stack's Watchdog
// fires in every case). `promtool test rules` must then agree with check.
func PromtoolFile(s *model.Stack, cases []RuleCase) ([]byte, error) {
	var tests []promtoolTest
	f := promtoolFile{
		RuleFiles:          []string{relPath(path.Dir(s.Outputs.RuleTests.Path), s.Outputs.Alerts.Path)},
		EvaluationInterval: s.Outputs.Prometheus.Config.Global.EvaluationInterval,
	}
	ix := indexRules(s, nil)
	for _, c := range cases {
		t := promtoolTest{Name: c.Name, Interval: pmodel.Duration(c.Interval).String()}
		n := int(c.Horizon / c.Interval)
		for _, in := range c.Series {
			t.InputSeries = append(t.InputSeries, promtoolSeries{in.Series, in.LoadValues(n)})
		}
		names := ix.alertNames(c)
		for _, e := range c.Expect {
			for _, name := range names {
				at := promtoolAlertTest{EvalTime: pmodel.Duration(e.At).String(), Alertname: name, ExpAlerts: []promtoolExpAlerts{}}
				for _, want := range e.Firing {
					if want.Labels["alertname"] != name {
						continue
					}
					at.ExpAlerts = append(at.ExpAlerts, promtoolExpAlerts{ExpLabels: withoutAlertname(want.Labels), ExpAnnotations: want.Annotations})
				}
				sort.Slice(at.ExpAlerts, func(i, j int) bool {
					return fmt.Sprint(at.ExpAlerts[i].ExpLabels) < fmt.Sprint(at.ExpAlerts[j].ExpLabels)
				})
				t.AlertRuleTest = append(t.AlertRuleTest, at)
			}
			for _, x := range e.Samples {
				et := promtoolExprTest{Expr: x.Expr, EvalTime: pmodel.Duration(e.At).String(), ExpSamples: []promtoolSample{}}
				for _, w := range x.Want {
					et.ExpSamples = append(et.ExpSamples, promtoolSample{w.Series, w.Value})
				}
				t.ExprTest = append(t.ExprTest, et)
			}
		}
		tests = append(tests, t)
	}
	return render.YAMLList(s.GeneratedHeader, f, "tests", tests)
}

// relPath is target relative to the directory dir (both slash paths
// relative to the repository root), as promtool resolves rule_files.
func relPath(dir, target string) string {
	rel, err := filepath.Rel(filepath.FromSlash(dir), filepath.FromSlash(target))
	if err != nil {
		return target
	}
	return filepath.ToSlash(rel)
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
