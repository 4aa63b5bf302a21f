package rules

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"strings"
	"time"

	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/template"

	"github.com/lms/lms-ops/gen/internal/model"
)

// annotations expands the annotation templates of rule r the way
// Prometheus's alerting rule does (rules.AlertingRule.Eval): the same
// template engine and the same $labels, $externalLabels, $externalURL and
// $value, with $labels the expression's labels (exprLabels) and $value
// the value a case declares. That is the expectation a case states; the
// engine's run and promtool are then compared with it.
func annotations(r model.AlertRule, exprLabels map[string]string, value float64) (map[string]string, error) {
	smpl := promql.Sample{Metric: labels.FromMap(exprLabels), F: value}
	data := template.AlertTemplateData(exprLabels, nil, "", smpl)
	defs := "{{$labels := .Labels}}{{$externalLabels := .ExternalLabels}}{{$externalURL := .ExternalURL}}{{$value := .Value}}"
	noQuery := func(context.Context, string, time.Time) (promql.Vector, error) {
		return nil, errors.New("a declared expectation cannot run queries")
	}
	out := map[string]string{}
	for k, text := range r.Annotations {
		tmpl := template.NewTemplateExpander(context.Background(), defs+text, "__alert_"+r.Alert, data,
			pmodel.Time(0), noQuery, &url.URL{}, nil)
		s, err := tmpl.Expand()
		if err != nil {
			return nil, fmt.Errorf("alert %s: annotation %s: %w", r.Alert, k, err)
		}
		out[k] = s
	}
	return out, nil
}

// withoutRuleLabels is what an alert's expression yields, given the
// alert's labels: the rule adds alertname and its own labels on top.
func withoutRuleLabels(r model.AlertRule, alert map[string]string) map[string]string {
	out := maps.Clone(alert)
	delete(out, "alertname")
	for k := range r.Labels {
		delete(out, k)
	}
	return out
}

// declared fills in the annotations of an expected alert that declares the
// expression's value instead; it reports whether the alert's annotations
// are declared at all.
func declared(ix *stackRules, want *model.ExpectedAlert) (bool, error) {
	if want.Annotations != nil {
		return true, nil
	}
	if want.Value == nil {
		return false, nil
	}
	r, ok := ix.ruleOf(want.Labels)
	if !ok {
		return false, fmt.Errorf("no rule raises an alert labelled %s", strings.TrimSpace(fmt.Sprint(want.Labels)))
	}
	a, err := annotations(r, withoutRuleLabels(r, want.Labels), *want.Value)
	want.Annotations = a
	return err == nil, err
}
