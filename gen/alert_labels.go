package gen

import (
	"strings"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"
)

// targetLabels are the labels Prometheus attaches to every scraped series
// of a job, besides the job's static labels.
var targetLabels = []string{"job", "instance"}

// jobsMatching returns the scrape jobs a selector can read from: those whose
// name satisfies its job matcher and whose static labels satisfy its
// matchers on them (a job without the label has it empty). A matcher on a
// label no job sets (a metric's own label) does not narrow the jobs.
func jobsMatching(s *Stack, vs *parser.VectorSelector) []ScrapeJob {
	jobs := s.Outputs.Prometheus.Config.ScrapeConfigs
	static := labelSet{}
	for _, j := range jobs {
		for _, sc := range j.StaticConfigs {
			for k := range sc.Labels {
				static[k] = true
			}
		}
	}
	var out []ScrapeJob
	for _, j := range jobs {
		ok := true
		for _, m := range vs.LabelMatchers {
			switch {
			case m.Name == "job":
				ok = ok && m.Matches(j.JobName)
			case static[m.Name]:
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
func staticLabel(j ScrapeJob, name string) string {
	for _, sc := range j.StaticConfigs {
		if v, ok := sc.Labels[name]; ok {
			return v
		}
	}
	return ""
}

// rawLabels is the seriesLabels of the stack: target labels common to every
// job the selector reads from, plus the catalog labels of its metric.
func rawLabels(s *Stack) seriesLabels {
	return func(vs *parser.VectorSelector) labelSet {
		var common labelSet
		for _, j := range jobsMatching(s, vs) {
			set := labelSet{}
			for _, l := range targetLabels {
				set[l] = true
			}
			for _, sc := range j.StaticConfigs {
				for k := range sc.Labels {
					set[k] = true
				}
			}
			if common == nil {
				common = set
			} else {
				common = intersect(common, set)
			}
		}
		if common == nil {
			common = labelSet{}
		}
		if m, ok := catalogMetric(s, vs.Name); ok {
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

// catalogMetric finds the catalog entry of a series name, understanding the
// _bucket, _sum and _count series of histograms and summaries.
func catalogMetric(s *Stack, name string) (Metric, bool) {
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
	return Metric{}, false
}

// AlertLabels returns the labels an alert of rule r in group g really
// carries when it fires: alertname, the rule's labels, and the labels its
// expression is guaranteed to keep, with a representative value for each
// (the selector's equality matcher or the job's static label where one
// exists). An expression that does not parse yields the rule labels only;
// the rule-file check reports it.
func AlertLabels(s *Stack, g RuleGroup, r AlertRule) map[string]string {
	out := map[string]string{}
	if expr, err := parser.ParseExpr(r.Expr); err == nil {
		for l := range outputLabels(expr, rawLabels(s)) {
			out[l] = sampleValue(s, expr, l)
		}
	}
	for k, v := range r.Labels {
		out[k] = v
	}
	out["alertname"] = r.Alert
	return out
}

// sampleValue picks a value label l can have in the result of expr.
func sampleValue(s *Stack, expr parser.Expr, l string) string {
	for _, vs := range selectors(expr) {
		for _, m := range vs.LabelMatchers {
			if m.Name == l && m.Type == labels.MatchEqual {
				return m.Value
			}
		}
		for _, j := range jobsMatching(s, vs) {
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
