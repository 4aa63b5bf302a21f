package rules

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestSLODetectionTimes runs each SLO's page case of the fixture with
// every evaluation (the case itself skips those that cannot change its
// verdict) and measures when the page first fires after the burn starts,
// less its `for`: the detection time. The SRE workbook's is the quick
// pair's long window × its factor ÷ the burn, the burn read off the
// case's series (bad ÷ all requests, ÷ the budget); the budget spent by
// then is the pair's share (2%). Measured and workbook must agree within
// a scrape and an evaluation, twice. The table is logged (-v).
func TestSLODetectionTimes(t *testing.T) {
	s, rules := fixtureRules(t)
	scrape, eval, err := intervals(s)
	if err != nil {
		t.Fatal(err)
	}
	lag := 2*scrape + 2*eval
	cases, _, err := HandRuleCases(s)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, c := range cases {
		if !strings.Contains(c.Name, "within the detection time") {
			continue
		}
		env, name, _ := strings.Cut(strings.SplitN(c.Name, ":", 2)[0], "/")
		slo := s.SLOs[env][name]
		page := slo.Tiers[0]
		onset, burn := burnOf(t, c, slo)
		fired := firstFiring(t, s, rules, c, page.Alert)
		pageFor, _ := parseDuration(page.For, "0s")
		long, _ := parseDuration(page.Windows[0].Long, "")
		workbook := time.Duration(float64(long) * page.Windows[0].Factor / burn)
		measured := fired - onset - pageFor
		if d := measured - workbook; d < -lag || d > lag {
			t.Errorf("%s: the page fires %s after the burn starts (for %s), the workbook's detection time is %s: more than %s apart", c.Name, measured, page.For, workbook, lag)
		}
		period, _ := parseDuration(slo.Period, "")
		rows = append(rows, fmt.Sprintf("| %s | %s%% over %s | %.4g× | %s × %s ÷ %.4g = %s (%.3g%% of the budget) | %s (%.3g%%) | %s (its for, %s, included) |",
			env+"/"+name, render.FormatNumber(slo.Objective), slo.Period, burn, page.Windows[0].Long, render.FormatFactor(page.Windows[0].Factor), burn,
			workbook.Round(time.Second), 100*burn*float64(workbook)/float64(period), measured.Round(time.Second), 100*burn*float64(measured)/float64(period),
			(fired-onset).Round(time.Second), page.For))
	}
	if len(rows) == 0 {
		t.Fatal("the fixture has no SLO page case")
	}
	t.Logf("\n| SLO | objective | burn | workbook: long × factor ÷ burn | measured detection | the page fires after the burn starts |\n|---|---|---|---|---|---|\n%s", strings.Join(rows, "\n"))
}

// TestSLOSteadyCases runs the SLOs' other cases with every evaluation:
// a burn just above the smallest factor fires its tier's alert (only),
// one just under it and no traffic fire nothing, at any evaluation. The
// table is logged (-v).
func TestSLOSteadyCases(t *testing.T) {
	s, rules := fixtureRules(t)
	cases, _, err := HandRuleCases(s)
	if err != nil {
		t.Fatal(err)
	}
	var rows []string
	for _, c := range cases {
		if len(c.RuleGroups) == 0 || strings.Contains(c.Name, "within the detection time") {
			continue
		}
		fired := map[string]time.Duration{}
		_, eval, _ := intervals(s)
		sc := schedule{}
		for at := time.Duration(0); at <= c.Horizon; at += eval {
			sc.checks = append(sc.checks, at)
		}
		ev := ruleEvaluation{rules: indexRules(s, rules).groupsOf([]RuleCase{c}), evalInterval: eval, interval: c.Interval,
			series: c.Series, horizon: c.Horizon, schedules: []schedule{sc}}
		if err := ev.run(func(at time.Duration, got []FiringAlert, _ queryFunc) {
			for _, a := range got {
				if _, seen := fired[a.Labels["alertname"]]; !seen {
					fired[a.Labels["alertname"]] = at
				}
			}
		}); err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, e := range c.Expect[len(c.Expect)-1].Firing {
			want = append(want, e.Labels["alertname"])
		}
		if got := slices.Sorted(maps.Keys(fired)); !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s: with every evaluation, %v fire, the case says %v", c.Name, got, want)
		}
		what := "nothing, at any of its evaluations"
		for _, a := range slices.Sorted(maps.Keys(fired)) {
			what = fmt.Sprintf("%s, %s after the burn starts", a, fired[a])
		}
		rows = append(rows, fmt.Sprintf("| %s | %s |", c.Name, what))
	}
	t.Logf("\n| case | fires |\n|---|---|\n%s", strings.Join(rows, "\n"))
}

// fixtureRules are the fixture's model and its rendered rule file.
func fixtureRules(t *testing.T) (*model.Stack, *rulefmt.RuleGroups) {
	t.Helper()
	m, err := model.Load(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(m.Stack)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Path == m.Stack.Outputs.Alerts.Path {
			rules, errs := rulefmt.Parse(f.Data)
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			return m.Stack, rules
		}
	}
	t.Fatal("no rule file")
	return nil, nil
}

// firstFiring evaluates the case's groups at every evaluation interval and
// returns when alert first fires.
func firstFiring(t *testing.T, s *model.Stack, rules *rulefmt.RuleGroups, c RuleCase, alert string) time.Duration {
	t.Helper()
	_, eval, _ := intervals(s)
	sc := schedule{}
	for at := time.Duration(0); at <= c.Horizon; at += eval {
		sc.checks = append(sc.checks, at)
	}
	ev := ruleEvaluation{rules: indexRules(s, rules).groupsOf([]RuleCase{c}), evalInterval: eval, interval: c.Interval,
		series: c.Series, horizon: c.Horizon, schedules: []schedule{sc}}
	fired := time.Duration(-1)
	err := ev.run(func(at time.Duration, got []FiringAlert, _ queryFunc) {
		for _, a := range got {
			if a.Labels["alertname"] == alert && fired < 0 {
				fired = at
			}
		}
	})
	if err != nil || fired < 0 {
		t.Fatalf("%s: %s never fires (%v)", c.Name, alert, err)
	}
	return fired
}

// burnOf reads the burn off a case's series: when bad requests start, and
// their share of all requests then, over the budget.
func burnOf(t *testing.T, c RuleCase, slo model.SLO) (time.Duration, float64) {
	t.Helper()
	byName := map[string][]float64{}
	for _, in := range c.Series {
		_, vals, err := parser.ParseSeriesDesc(in.Series + " " + in.LoadValues(int(c.Horizon/c.Interval)))
		if err != nil {
			t.Fatal(err)
		}
		var v []float64
		for _, x := range vals {
			v = append(v, x.Value)
		}
		byName[strings.SplitN(in.Series, "{", 2)[0]+labelOf(in.Series)] = v
	}
	good, all := counters(t, byName)
	for i := 1; i < len(all) && i < len(good); i++ {
		dAll, dBad := all[i]-all[i-1], (all[i]-good[i])-(all[i-1]-good[i-1])
		if dBad > 1e-9 {
			return time.Duration(i-1) * c.Interval, dBad / dAll / slo.BudgetRatio
		}
	}
	t.Fatalf("%s: no bad request in its series", c.Name)
	return 0, 0
}

// counters are the good and all requests of an SLO case's two series.
func counters(t *testing.T, byName map[string][]float64) (good, all []float64) {
	t.Helper()
	if v, ok := byName[`http_request_duration_seconds_count`]; ok {
		for k, b := range byName {
			if strings.HasPrefix(k, "http_request_duration_seconds_bucket") {
				return b, v
			}
		}
	}
	good, bad := byName[`http_requests_total{status="200"}`], byName[`http_requests_total{status="500"}`]
	if good == nil || bad == nil {
		t.Fatalf("series %v are not an SLO case's", slices.Sorted(maps.Keys(byName)))
	}
	for i := range good {
		all = append(all, good[i]+bad[i])
	}
	return good, all
}

// labelOf keeps the status label of a series, which tells its counters apart.
func labelOf(series string) string {
	if i := strings.Index(series, `status="`); i >= 0 {
		return "{" + series[i:i+len(`status="200"`)] + "}"
	}
	return ""
}
