package verify

import (
	"strings"
	"testing"

	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/promql"
)

// TestRecordedSeries: a selector of a recorded series (an SLO's error
// ratios) passes the metric-catalog check only when a recording rule
// writes it with those labels, and the labels an SLO alert carries come
// from its recordings.
func TestRecordedSeries(t *testing.T) {
	m, _ := generate(t)
	s := m.Stack
	for _, c := range []struct{ expr, want string }{
		{`slo:sli_error:ratio_rate5m{sloth_id="lms-backend-production-availability"}`, ""},
		{`slo:sli_error:ratio_rate5m{environment="production", slo="latency"}`, ""},
		{`slo:sli_error:ratio_rate5m{sloth_id="lms-backend-production-availabilty"}`, "matches no series a recording rule writes"},
		{`slo:sli_error:ratio_rate7m{sloth_id="lms-backend-production-availability"}`, "is not in the metric catalog (envs/metrics.cue) nor recorded by a rule"},
		{`slo:sli_error:ratio_rate5m{route="/api/courses"}`, `has no label "route"`},
	} {
		expr, err := parser.ParseExpr(c.expr)
		if err != nil {
			t.Fatal(err)
		}
		msgs := strings.Join(SelectorCatalogProblems(s, expr), "; ")
		if (c.want == "") != (msgs == "") || !strings.Contains(msgs, c.want) {
			t.Errorf("%s: problems %q, want %q", c.expr, msgs, c.want)
		}
	}
	found := false
	for _, a := range promql.RealAlerts(s) {
		if a.Rule.Alert != "LMSAvailabilityBudgetBurnPage" || a.Env != "prod" {
			continue
		}
		found = true
		for k, v := range map[string]string{"environment": "production", "slo": "availability", "tier": "page", "severity": "critical", "sloth_id": "lms-backend-production-availability"} {
			if got := string(a.Labels[pmodel.LabelName(k)]); got != v {
				t.Errorf("prod's page carries %s=%q, want %q (labels %v)", k, got, v, a.Labels)
			}
		}
		if _, ok := a.Labels["sloth_window"]; ok {
			t.Errorf("prod's page carries sloth_window, which its expression drops: %v", a.Labels)
		}
	}
	if !found {
		t.Fatal("the fixture has no LMSAvailabilityBudgetBurnPage in prod")
	}
}
