package promql

import (
	"slices"
	"testing"

	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
)

// indexStack has SLO-like recordings of one series in two environments,
// one of which leaves sloth_id unset (it may come from its expression),
// an alert, and two jobs.
func indexStack() *model.Stack {
	s := &model.Stack{}
	rec := func(env, id string) model.AlertRule {
		r := model.AlertRule{Record: "slo:ratio", Expr: `sum(rate(x{job="` + env + `"}[5m]))`, Labels: map[string]string{"environment": env}}
		if id != "" {
			r.Labels["sloth_id"] = id
		}
		return r
	}
	s.Outputs.Alerts.Rules.Groups = []model.RuleGroup{
		{Env: "a", Name: "g-a", Rules: []model.AlertRule{rec("a", "id-a"), {Alert: "X", Expr: "up == 0"}}},
		{Env: "b", Name: "g-b", Rules: []model.AlertRule{rec("b", "")}},
		{Env: "c", Name: "g-c", Rules: []model.AlertRule{rec("c", "id-c")}},
	}
	s.Outputs.Prometheus.Config.ScrapeConfigs = []model.ScrapeJob{
		{JobName: "a", StaticConfigs: []model.StaticConfig{{Labels: map[string]string{"environment": "a"}}}},
		{JobName: "b", StaticConfigs: []model.StaticConfig{{Labels: map[string]string{"environment": "b"}}}},
	}
	return s
}

// TestRecordings: the indexed lookup finds what going through every rule
// finds, in the same order.
func TestRecordings(t *testing.T) {
	for _, tc := range []struct {
		selector string
		want     []string // environments of the recordings found
	}{
		{`slo:ratio`, []string{"a", "b", "c"}},
		{`slo:ratio{sloth_id="id-c"}`, []string{"b", "c"}},    // b leaves sloth_id unset
		{`slo:ratio{environment="a"}`, []string{"a"}},         // set by every recording: narrowed
		{`slo:ratio{environment=~"a|c"}`, []string{"a", "c"}}, // a regex is not narrowed by the index
		{`slo:ratio{environment="a", sloth_id="id-c"}`, nil},  // both filter
		{`other`, nil},
	} {
		vs := selector(t, tc.selector)
		var got []string
		for _, r := range Recordings(indexStack(), vs) {
			got = append(got, r.Labels["environment"])
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got recordings of %v, want %v", tc.selector, got, tc.want)
		}
	}
	s := indexStack()
	if !IsRecorded(s, "slo:ratio") || IsRecorded(s, "X") {
		t.Error("IsRecorded: want slo:ratio only")
	}
}

// TestJobsMatching: a job equality matcher narrows to the job, any other
// matcher filters every job.
func TestJobsMatching(t *testing.T) {
	for _, tc := range []struct {
		selector string
		want     []string
	}{
		{`up`, []string{"a", "b"}},
		{`up{job="b"}`, []string{"b"}},
		{`up{job="z"}`, nil},
		{`up{job=~"a|b", environment="a"}`, []string{"a"}},
		{`up{job="a", environment="b"}`, nil},
		{`up{code="500"}`, []string{"a", "b"}}, // no job sets code: it does not narrow
	} {
		var got []string
		for _, j := range JobsMatching(indexStack(), selector(t, tc.selector)) {
			got = append(got, j.JobName)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: got jobs %v, want %v", tc.selector, got, tc.want)
		}
	}
}

func selector(t *testing.T, q string) *parser.VectorSelector {
	t.Helper()
	expr, err := parser.ParseExpr(q)
	if err != nil {
		t.Fatal(err)
	}
	return expr.(*parser.VectorSelector)
}
