package verify

import (
	"testing"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/pkg/labels"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/promql"
)

// TestMutesAny: a rule mutes when a source and another alert that matches
// the target carry the same values of every equal label; never an alert
// by itself, nor across a missing equal label.
func TestMutesAny(t *testing.T) {
	alert := func(kv ...string) promql.RealAlert {
		ls := pmodel.LabelSet{}
		for i := 0; i < len(kv); i += 2 {
			ls[pmodel.LabelName(kv[i])] = pmodel.LabelValue(kv[i+1])
		}
		return promql.RealAlert{Labels: ls}
	}
	must := func(s string) *labels.Matcher {
		m, err := labels.ParseMatcher(s)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	rule := amconfig.InhibitRule{
		SourceMatchers: amconfig.Matchers{must(`severity="critical"`)},
		TargetMatchers: amconfig.Matchers{must(`severity=~"critical|warning"`)},
		Equal:          pmodel.LabelNames{"environment", "job"},
	}
	prodDown := alert("severity", "critical", "environment", "prod", "job", "a", "alertname", "Down")
	for _, tc := range []struct {
		name   string
		alerts []promql.RealAlert
		want   bool
	}{
		{"a warning of the same job", []promql.RealAlert{prodDown, alert("severity", "warning", "environment", "prod", "job", "a")}, true},
		{"another critical of the same job", []promql.RealAlert{prodDown, alert("severity", "critical", "environment", "prod", "job", "a", "alertname", "Other")}, true},
		{"only itself", []promql.RealAlert{prodDown}, false},
		{"another environment", []promql.RealAlert{prodDown, alert("severity", "warning", "environment", "staging", "job", "a")}, false},
		{"a target without an equal label", []promql.RealAlert{prodDown, alert("severity", "warning", "environment", "prod")}, false},
		{"no source", []promql.RealAlert{alert("severity", "warning", "environment", "prod", "job", "a")}, false},
	} {
		if got := mutesAny(rule, tc.alerts); got != tc.want {
			t.Errorf("%s: mutesAny = %v, want %v", tc.name, got, tc.want)
		}
	}
}
