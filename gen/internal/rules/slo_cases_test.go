package rules

import (
	"strings"
	"testing"
	"time"
)

// TestScheduleDenseStretch: evaluate_every skips evaluations but between
// dense_from and dense_until, and never past a check.
func TestScheduleDenseStretch(t *testing.T) {
	eval := 30 * time.Second
	sc := schedule{checks: []time.Duration{40 * time.Minute}, fillStep: 10 * time.Minute, denseFrom: 20 * time.Minute, denseUntil: 22 * time.Minute}
	var got []string
	for ts, ok := time.Duration(0), true; ok; ts, ok = sc.next(ts, eval) {
		got = append(got, ts.String())
	}
	want := "0s 10m0s 20m0s 20m30s 21m0s 21m30s 22m0s 32m0s 40m0s"
	if strings.Join(got, " ") != want {
		t.Errorf("evaluations %s, want %s", strings.Join(got, " "), want)
	}
}

// TestZeroTrafficSeesNaN: without the zero-traffic guard (sloth's
// bad/all), the no-traffic case of each SLO fails on its samples: the
// guard is what keeps NaN out, and the case would see it.
func TestZeroTrafficSeesNaN(t *testing.T) {
	s, rules := fixtureRules(t)
	for _, g := range rules.Groups {
		for i, r := range g.Rules {
			if r.Record.Value != "" && strings.HasPrefix(r.Record.Value, "slo:sli_error:ratio_rate") {
				expr := strings.Replace(r.Expr.Value, " > 0)\nor\nvector(0)\n", ")\n", 1)
				g.Rules[i].Expr.SetString(expr)
			}
		}
	}
	cases, _, err := HandRuleCases(s)
	if err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, c := range cases {
		if !strings.Contains(c.Name, "no traffic") {
			continue
		}
		seen++
		runs := Run(s, rules, []RuleCase{c})
		if msg := strings.Join(runs[0].Failures, "\n"); !strings.Contains(msg, "NaN") {
			t.Errorf("%s: without the guard it does not see NaN; failures:\n%s", c.Name, msg)
		}
	}
	if seen == 0 {
		t.Fatal("the fixture has no zero-traffic case")
	}
}
