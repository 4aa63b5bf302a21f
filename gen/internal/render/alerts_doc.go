package render

import (
	"fmt"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
)

// Notified is who each alert notifies, by environment and then alert: the
// receivers Alertmanager routes it to (computed by the caller with the
// route code the route tests run, which sits above this layer).
type Notified map[string]map[string][]string

// AlertCatalog writes ops/ALERTS.md, the page an on-call engineer opens:
// one row per alert with its values in each environment, who hears of it,
// its runbook and its dashboard; then the inhibitions.
func AlertCatalog(s *model.Stack, notified Notified) ([]byte, error) {
	specs, err := DashboardSpecs(s)
	if err != nil {
		return nil, err
	}
	titles := map[string]string{}
	for _, spec := range specs {
		titles[spec.UID] = spec.Title
	}
	groups := s.Outputs.Alerts.Rules.Groups
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# Alert catalog\n\n", s.GeneratedHeader)
	fmt.Fprintf(&b, "Every alert the rules in `%s` raise, one row each: its values in each\n"+
		"environment (threshold over its window, `for`, severity), who is notified (the receivers\n"+
		"Alertmanager's own routing gives for the labels the alert carries), its runbook section in\n"+
		"`%s` and its dashboard. Thresholds are set in `envs/<env>/alerts.cue`, the rules in\n"+
		"`derive/alerts.cue`, the routing in `envs/alertmanager.cue`.\n\n", s.Outputs.Alerts.Path, s.Settings.RunbookDoc)
	if len(s.SLOs) > 0 {
		b.WriteString("The SLO alerts (`LMS<SLO>BudgetBurn<Tier>`) fire when the error ratio is above factor × the\n" +
			"error budget over both windows of one pair: their cell gives the objective over its period and\n" +
			"each pair. Objectives are set in `envs/<env>/slos.cue`, the tiers in `envs/slo_settings.cue`.\n\n")
	}
	b.WriteString("| alert |")
	envs := envColumns(groups)
	for _, env := range envs {
		header := env
		if e, ok := s.Envs[env]; !ok {
			header += " (the stack's own)"
		} else if label := e.Labels["environment"]; label != env {
			header += " (" + label + ")"
		}
		fmt.Fprintf(&b, " %s |", header)
	}
	b.WriteString(" notified | runbook | dashboard |\n|---|" + strings.Repeat("---|", len(envs)+3) + "\n")
	for _, name := range alertNames(groups) {
		writeCatalogRow(&b, s, name, notified, titles)
	}
	writeInhibitions(&b, s)
	return []byte(b.String()), nil
}

// writeCatalogRow writes the row of one alert: its summary (from the first
// environment that has it), a cell per environment, then who is notified
// in each, the runbook and the dashboard.
func writeCatalogRow(b *strings.Builder, s *model.Stack, name string, notified Notified, titles map[string]string) {
	var first *model.AlertRule
	var cells, who, dashboards []string
	for _, env := range envColumns(s.Outputs.Alerts.Rules.Groups) {
		r := findRule(s.Outputs.Alerts.Rules.Groups, env, name)
		if r == nil {
			cells = append(cells, "—")
			continue
		}
		if first == nil {
			first = r
		}
		if slo, tier, ok := s.SLOAlert(env, name); ok {
			cells = append(cells, sloValues(slo, tier))
		} else {
			cells = append(cells, alertValues(s.ThresholdOf(env, name), r.Labels["severity"]))
		}
		rcv := s.Outputs.Alertmanager.Config.DescribeReceivers(notified[env][name])
		who = append(who, fmt.Sprintf("%s: %s", env, strings.Join(rcv, ", ")))
		dashboards = append(dashboards, env+": "+dashboardLink(r.Annotations["dashboard_url"], titles))
	}
	// An alert whose environments have dashboards of their own (an SLO's)
	// names each; the others name the one they share.
	dash := dashboardLink(first.Annotations["dashboard_url"], titles)
	if !slices.ContainsFunc(dashboards, func(d string) bool { return !strings.HasSuffix(d, ": "+dash) }) {
		dashboards = []string{dash}
	}
	fmt.Fprintf(b, "| **%s**<br>%s | %s | %s | [%s](%s) | %s |\n", name, MarkdownCell(first.Annotations["summary"]),
		strings.Join(cells, " | "), MarkdownCell(strings.Join(who, "<br>")), name,
		first.Annotations["runbook_url"], strings.Join(dashboards, "<br>"))
}

// envColumns are the environments of the rule groups, once each, in order
// (an environment has a group of alerts and one or two per SLO).
func envColumns(groups []model.RuleGroup) []string {
	var envs []string
	for _, g := range groups {
		if !slices.Contains(envs, g.Env) {
			envs = append(envs, g.Env)
		}
	}
	return envs
}

// alertNames are the alerts of every group, in the order of the alert set.
func alertNames(groups []model.RuleGroup) []string {
	var names []string
	for _, g := range groups {
		for _, r := range g.Rules {
			if !r.IsRecord() && !slices.Contains(names, r.Alert) {
				names = append(names, r.Alert)
			}
		}
	}
	return names
}

// findRule finds alert among the groups of env.
func findRule(groups []model.RuleGroup, env, alert string) *model.AlertRule {
	for _, g := range groups {
		for i := range g.Rules {
			if g.Env == env && g.Rules[i].Alert == alert {
				return &g.Rules[i]
			}
		}
	}
	return nil
}

// alertValues is one environment's cell: threshold over window, for, severity.
func alertValues(t model.Threshold, severity string) string {
	var parts []string
	switch {
	case t.Window != "" && t.Threshold != 0:
		parts = append(parts, fmt.Sprintf("%s over %s", FormatNumber(t.Threshold), t.Window))
	case t.Window != "":
		parts = append(parts, "over "+t.Window)
	case t.Threshold != 0:
		parts = append(parts, FormatNumber(t.Threshold))
	}
	return strings.Join(append(parts, "for "+t.For, severity), "<br>")
}

// sloValues is an SLO alert's cell: the objective, each pair's factor and
// windows, for, severity.
func sloValues(slo model.SLO, t model.SLOTier) string {
	parts := []string{fmt.Sprintf("%s%% over %s", FormatNumber(slo.Objective), slo.Period)}
	for _, w := range t.Windows {
		parts = append(parts, fmt.Sprintf("%s× over %s and %s", FormatFactor(w.Factor), w.Long, w.Short))
	}
	return strings.Join(append(parts, "for "+t.For, t.Severity), "<br>")
}

// FormatFactor writes a burn factor with at most four significant digits
// (0.9333 for 28 days' 1×).
func FormatFactor(f float64) string { return strconv.FormatFloat(f, 'g', 4, 64) }

// FormatNumber writes a threshold as the operator wrote it: no exponent,
// no trailing zeros.
func FormatNumber(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// dashboardLink links the dashboard an alert's dashboard_url opens, by its
// title, without the environment the URL selects.
func dashboardLink(raw string, titles map[string]string) string {
	u, err := url.Parse(raw)
	if err != nil || raw == "" {
		return "—"
	}
	u.RawQuery = ""
	title := titles[path.Base(u.Path)]
	if title == "" {
		title = path.Base(u.Path)
	}
	return fmt.Sprintf("[%s](%s)", title, u)
}

// writeInhibitions lists the inhibit rules: what mutes what.
func writeInhibitions(b *strings.Builder, s *model.Stack) {
	b.WriteString("\n## Inhibitions\n\nWhile an alert matching the source fires, the alerts matching the target that have\n" +
		"the same values of the `equal` labels notify nobody.\n\n| source | target | equal |\n|---|---|---|\n")
	for _, r := range s.Outputs.Alertmanager.Config.InhibitRules {
		fmt.Fprintf(b, "| %s | %s | %s |\n", codeList(r.SourceMatchers), codeList(r.TargetMatchers), codeList(r.Equal))
	}
}

// codeList writes each item as code, comma-separated, escaped for a table.
func codeList(items []string) string {
	var out []string
	for _, it := range items {
		out = append(out, "`"+MarkdownCell(it)+"`")
	}
	return strings.Join(out, ", ")
}

// MarkdownCell escapes text for a Markdown table cell.
func MarkdownCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}
