package main

import (
	"context"
	"fmt"
	"testing/fstest"
	"time"

	"github.com/prometheus/common/model"
	sloth "github.com/slok/sloth/pkg/lib"
	prometheusv1 "github.com/slok/sloth/pkg/prometheus/api/v1"
	"gopkg.in/yaml.v2"

	"github.com/prometheus/prometheus/model/rulefmt"
	slothmodel "github.com/slok/sloth/pkg/common/model"
)

// generate runs sloth's generator on one SLO.
func generate(s SLO) ([]Group, error) {
	period, err := model.ParseDuration(s.Period)
	if err != nil {
		return nil, fmt.Errorf("period: %w", err)
	}
	windows, err := windowsFile(s)
	if err != nil {
		return nil, err
	}
	gen, err := sloth.NewPrometheusSLOGenerator(sloth.PrometheusSLOGeneratorConfig{
		WindowsFS:        fstest.MapFS{"windows.yaml": {Data: windows}},
		DefaultSLOPeriod: time.Duration(period),
	})
	if err != nil {
		return nil, fmt.Errorf("generator: %w", err)
	}
	spec := prometheusv1.Spec{
		Version: prometheusv1.Version,
		Service: s.Service,
		SLOs: []prometheusv1.SLO{{
			Name:      s.Name,
			Objective: s.Objective,
			Labels:    s.Labels,
			SLI: prometheusv1.SLI{Events: &prometheusv1.SLIEvents{
				ErrorQuery: s.ErrorQuery,
				TotalQuery: s.TotalQuery,
			}},
			Alerting: prometheusv1.Alerting{
				Name:        s.AlertName,
				PageAlert:   prometheusv1.Alert{Labels: s.Tiers["page"].Labels},
				TicketAlert: prometheusv1.Alert{Labels: s.Tiers["ticket"].Labels},
			},
		}},
	}
	res, err := gen.GenerateFromSlothV1(context.Background(), spec)
	if err != nil {
		return nil, err
	}
	var out []Group
	for _, r := range res.SLOResults {
		rules := r.PrometheusRules
		for _, g := range []slothmodel.PromRuleGroup{rules.SLIErrorRecRules, rules.MetadataRecRules, rules.AlertRules} {
			out = append(out, group(g))
		}
	}
	return out, nil
}

// windowsFile is sloth's AlertWindows file for the SLO's period and tiers.
func windowsFile(s SLO) ([]byte, error) {
	page, ticket := s.Tiers["page"].Windows, s.Tiers["ticket"].Windows
	if len(page) != 2 || len(ticket) != 2 {
		return nil, fmt.Errorf("sloth's tiers have a quick and a slow pair each: page has %d, ticket %d", len(page), len(ticket))
	}
	pair := func(w Window) map[string]any {
		return map[string]any{"errorBudgetPercent": w.BudgetPercent, "shortWindow": w.Short, "longWindow": w.Long}
	}
	return yaml.Marshal(map[string]any{
		"apiVersion": "sloth.slok.dev/v1",
		"kind":       "AlertWindows",
		"spec": map[string]any{
			"sloPeriod": s.Period,
			"page":      map[string]any{"quick": pair(page[0]), "slow": pair(page[1])},
			"ticket":    map[string]any{"quick": pair(ticket[0]), "slow": pair(ticket[1])},
		},
	})
}

// group converts one of sloth's rule groups.
func group(g slothmodel.PromRuleGroup) Group {
	out := Group{Name: g.Name}
	for _, r := range g.Rules {
		out.Rules = append(out.Rules, rule(r))
	}
	return out
}

func rule(r rulefmt.Rule) Rule {
	out := Rule{Record: r.Record, Alert: r.Alert, Expr: r.Expr, Labels: r.Labels, Annotations: r.Annotations}
	if r.For != 0 {
		out.For = r.For.String()
	}
	return out
}
