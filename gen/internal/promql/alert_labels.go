package promql

import (
	"fmt"
	"slices"
	"strings"

	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
)

// targetLabels are the labels Prometheus attaches to every scraped series
// of a job, besides the job's static labels.
var targetLabels = []string{"job", "instance"}

// JobsMatching returns the scrape jobs a selector can read from: those whose
// name satisfies its job matcher and whose static labels satisfy its
// matchers on them (a job without the label has it empty). A matcher on a
// label no job sets (a metric's own label) does not narrow the jobs.
func JobsMatching(s *model.Stack, vs *parser.VectorSelector) []model.ScrapeJob {
	if IsRecorded(s, vs.Name) {
		return recordedJobs(s, vs)
	}
	ix := indexOf(s)
	var out []model.ScrapeJob
	for _, j := range ix.jobCandidates(vs) {
		ok := true
		for _, m := range vs.LabelMatchers {
			switch {
			case m.Name == "job":
				ok = ok && m.Matches(j.JobName)
			case ix.static[m.Name]:
				ok = ok && m.Matches(staticLabel(j, m.Name))
			}
		}
		if ok {
			out = append(out, j)
		}
	}
	return out
}

// staticLabel is the value of a job's static label, "" when it has none.
func staticLabel(j model.ScrapeJob, name string) string {
	for _, sc := range j.StaticConfigs {
		if v, ok := sc.Labels[name]; ok {
			return v
		}
	}
	return ""
}

// RawLabels is the SeriesLabels of the stack: target labels common to every
// job the selector reads from, plus the catalog labels of its metric.
func RawLabels(s *model.Stack) SeriesLabels {
	return func(vs *parser.VectorSelector) LabelSet {
		if IsRecorded(s, vs.Name) {
			return recordedLabels(s, vs)
		}
		var sets []LabelSet
		for _, j := range JobsMatching(s, vs) {
			set := LabelSet{}
			for _, l := range targetLabels {
				set[l] = true
			}
			for _, sc := range j.StaticConfigs {
				for k := range sc.Labels {
					set[k] = true
				}
			}
			sets = append(sets, set)
		}
		common := inCommon(sets)
		if m, ok := CatalogMetric(s, vs.Name); ok {
			for _, l := range m.Labels {
				common[l] = true
			}
			if m.Type == "histogram" && strings.HasSuffix(vs.Name, "_bucket") {
				common["le"] = true
			}
		}
		return common
	}
}

// CatalogMetric finds the catalog entry of a series name, understanding the
// _bucket, _sum and _count series of histograms and summaries.
func CatalogMetric(s *model.Stack, name string) (model.Metric, bool) {
	if m, ok := s.Metrics[name]; ok {
		return m, true
	}
	for _, suffix := range []string{"_bucket", "_sum", "_count"} {
		base, found := strings.CutSuffix(name, suffix)
		if !found {
			continue
		}
		if m, ok := s.Metrics[base]; ok && (m.Type == "histogram" || (m.Type == "summary" && suffix != "_bucket")) {
			return m, true
		}
	}
	return model.Metric{}, false
}

// AlertLabels returns the labels an alert of rule r in group g really
// carries when it fires: alertname, the rule's labels, and the labels its
// expression is guaranteed to keep, with a representative value for each
// (the selector's equality matcher or the job's static label where one
// exists). An expression that does not parse yields the rule labels only;
// the rule-file check reports it.
func AlertLabels(s *model.Stack, g model.RuleGroup, r model.AlertRule) map[string]string {
	out := ExprLabels(s, r)
	for k, v := range r.Labels {
		out[k] = v
	}
	out["alertname"] = r.Alert
	return out
}

// ExprLabels are the labels r's expression is guaranteed to keep, with a
// representative value for each: what its annotation templates read as
// $labels (Prometheus expands them before it adds the rule's labels).
func ExprLabels(s *model.Stack, r model.AlertRule) map[string]string {
	out := map[string]string{}
	if expr, err := parser.ParseExpr(r.Expr); err == nil {
		for l := range OutputLabels(expr, RawLabels(s)) {
			out[l] = sampleValue(s, expr, l)
		}
	}
	return out
}

// sampleValue picks a value label l can have in the result of expr.
func sampleValue(s *model.Stack, expr parser.Expr, l string) string {
	for _, vs := range Selectors(expr) {
		for _, m := range vs.LabelMatchers {
			if m.Name == l && m.Type == labels.MatchEqual {
				return m.Value
			}
		}
		if v, ok := recordedValue(s, vs, l); ok {
			return v
		}
		for _, j := range JobsMatching(s, vs) {
			for _, sc := range j.StaticConfigs {
				if v, ok := sc.Labels[l]; ok {
					return v
				}
				if l == "instance" && len(sc.Targets) > 0 {
					return sc.Targets[0]
				}
			}
		}
	}
	return "sample"
}

// RealAlert is one alert the rules can raise, with the labels it carries.
type RealAlert struct {
	Env    string
	Rule   model.AlertRule
	Labels pmodel.LabelSet
	// GI, RI locate the rule in outputs.alerts.rules.groups.
	GI, RI int
}

// Scope names the alert (or recording rule) in a problem about artifact.
func (a RealAlert) Scope(artifact string) string {
	return fmt.Sprintf("env %s: %s: %s", a.Env, artifact, a.What())
}

// What names the rule: "alert X" or "recording rule X".
func (a RealAlert) What() string {
	if a.Rule.IsRecord() {
		return "recording rule " + a.Rule.Record
	}
	return "alert " + a.Rule.Alert
}

// RealAlerts lists one alert per alerting rule per environment, with
// AlertLabels (recording rules raise none). Most checks read them, so they
// are worked out once per stack; the caller gets its own slice, and must
// not change the labels.
func RealAlerts(s *model.Stack) []RealAlert {
	ix := indexOf(s)
	ix.alertsOnce.Do(func() { ix.alerts = realAlerts(s) })
	return slices.Clone(ix.alerts)
}

func realAlerts(s *model.Stack) []RealAlert {
	var out []RealAlert
	for gi, g := range s.Outputs.Alerts.Rules.Groups {
		for ri, r := range g.Rules {
			if r.IsRecord() {
				continue
			}
			out = append(out, RealAlert{Env: g.Env, Rule: r, Labels: ToLabelSet(AlertLabels(s, g, r)), GI: gi, RI: ri})
		}
	}
	return out
}

// ToLabelSet converts a label map to Alertmanager's and Prometheus's type.
func ToLabelSet(m map[string]string) pmodel.LabelSet {
	ls := pmodel.LabelSet{}
	for k, v := range m {
		ls[pmodel.LabelName(k)] = pmodel.LabelValue(v)
	}
	return ls
}

// AllRulesParse reports whether every rule expression parses. The checks
// that infer labels from expressions skip when one does not: its labels are
// unknown, and checkRuleFiles reports the cause.
func AllRulesParse(s *model.Stack) bool {
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			if _, err := parser.ParseExpr(r.Expr); err != nil {
				return false
			}
		}
	}
	return true
}
