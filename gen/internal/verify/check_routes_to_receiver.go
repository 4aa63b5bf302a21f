package verify

import (
	"fmt"
	"path"
	"slices"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// checkRouting: every real alert reaches only receivers that notify
// somebody, and at least one route below the root (the root receiver is a
// fallback for alerts nobody planned); and the route tree keeps the paging
// policy (settings.alertmanager.paging): in the environments that may page,
// every severity that must page pages; alerts of any other environment
// never page.
func checkRouting(m *model.Model, files output.Files) model.Problems {
	cfg := routes.LoadAlertmanager(m, files)
	if cfg == nil || !promql.AllRulesParse(m.Stack) {
		return nil
	}
	art := path.Base(m.Stack.Outputs.Alertmanager.Path)
	byName := map[string]model.Receiver{}
	for _, r := range m.Stack.Outputs.Alertmanager.Config.Receivers {
		byName[r.Name] = r
	}
	paging := m.Stack.Settings.Alertmanager.Paging
	senders := composeSenders(m, files)
	var ps model.Problems
	for _, a := range promql.RealAlerts(m.Stack) {
		for _, ls := range deliveredSets(senders, a.Labels) {
			ps = append(ps, routeProblems(m, cfg, byName, paging, a, ls, art)...)
		}
	}
	return ps
}

// deliveredSets are the label sets Alertmanager receives for an alert
// with labels ls from senders (ls itself when there is no sender to
// model); an alert a sender drops is reported by checkDeliveredOnce.
func deliveredSets(senders []routes.Sender, ls pmodel.LabelSet) []pmodel.LabelSet {
	if len(senders) == 0 {
		return []pmodel.LabelSet{ls}
	}
	m := map[string]string{}
	for k, v := range ls {
		m[string(k)] = string(v)
	}
	var out []pmodel.LabelSet
	for _, set := range routes.Deliver(senders, m).Sets {
		out = append(out, promql.ToLabelSet(set.Labels))
	}
	return out
}

// routeProblems holds one alert, as Alertmanager receives it (labels ls),
// to the receivers and the paging policy.
func routeProblems(m *model.Model, cfg *amconfig.Config, byName map[string]model.Receiver, paging model.Paging, a promql.RealAlert, ls pmodel.LabelSet, art string) model.Problems {
	var ps model.Problems
	receivers, paths := routes.RouteReceivers(cfg, ls)
	add := func(rule, format string, args ...any) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathAlertmanagerRoute), Scope: a.Scope(art), Rule: rule,
			Msg: fmt.Sprintf(format, args...) + fmt.Sprintf(" (labels %s; routes %s)", ls, strings.Join(paths, " | "))})
	}
	pages := false
	for i, name := range receivers {
		if !byName[name].Notifies() {
			add("routes-to-receiver", "reaches receiver %q, which has no integration", name)
		}
		if paths[i] == "{}" {
			add("routes-to-receiver", "falls through to the root receiver %q: no route matches it", name)
		}
		if len(byName[name].PagerdutyConfigs) > 0 {
			pages = true
		}
	}
	// The policy is about the alert the rule raises; who it reaches is
	// what Alertmanager makes of the labels it receives.
	env, sev := string(a.Labels["environment"]), string(a.Labels["severity"])
	switch {
	case !paging.MayPage(env) && pages:
		add("paging", "environment %q pages (receivers %v); only %v may page", env, receivers, paging.Environments)
	case paging.MayPage(env) && slices.Contains(paging.MustPage, sev) && !pages:
		add("paging", "is a %s %s alert but pages nobody (receivers %v); %v alerts must page there", env, sev, receivers, paging.MustPage)
	}
	return ps
}
