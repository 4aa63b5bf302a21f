package promql

import (
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
)

// A recorded series (an SLO's slo:sli_error:ratio_rate5m) is no metric of
// the catalog: its labels are its recording rule's and those the rule's
// expression keeps, and the jobs it reads are the ones its expression
// reads. The functions below answer for it what the catalog and the scrape
// jobs answer for an exported metric.

// IsRecorded tells whether a recording rule of s writes the series name.
func IsRecorded(s *model.Stack, name string) bool {
	_, ok := indexOf(s).records[name]
	return ok
}

// Recordings are the recording rules that write the series vs selects:
// same name, and rule labels that satisfy vs's matchers on them (a label
// the rule does not set may come from its expression, and may match).
func Recordings(s *model.Stack, vs *parser.VectorSelector) []model.AlertRule {
	var out []model.AlertRule
	for _, r := range indexOf(s).recordCandidates(vs) {
		ok := true
		for _, m := range vs.LabelMatchers {
			if v, set := r.Labels[m.Name]; set && m.Name != labels.MetricName {
				ok = ok && m.Matches(v)
			}
		}
		if ok {
			out = append(out, r)
		}
	}
	return out
}

// recordedLabels are the labels every series vs selects of a recorded
// series carries: those of each recording it can come from, in common.
func recordedLabels(s *model.Stack, vs *parser.VectorSelector) LabelSet {
	var sets []LabelSet
	for _, r := range Recordings(s, vs) {
		set := LabelSet{}
		if expr, err := parser.ParseExpr(r.Expr); err == nil {
			set = OutputLabels(expr, RawLabels(s))
		}
		for k := range r.Labels {
			set[k] = true
		}
		sets = append(sets, set)
	}
	return inCommon(sets)
}

// inCommon is the labels every one of sets carries; none when sets is
// empty.
func inCommon(sets []LabelSet) LabelSet {
	var common LabelSet
	for _, set := range sets {
		if common == nil {
			common = set
		} else {
			common = Intersect(common, set)
		}
	}
	if common == nil {
		return LabelSet{}
	}
	return common
}

// recordedJobs are the scrape jobs the recordings of vs read.
func recordedJobs(s *model.Stack, vs *parser.VectorSelector) []model.ScrapeJob {
	seen := map[string]bool{}
	var out []model.ScrapeJob
	for _, r := range Recordings(s, vs) {
		expr, err := parser.ParseExpr(r.Expr)
		if err != nil {
			continue
		}
		for _, inner := range Selectors(expr) {
			for _, j := range JobsMatching(s, inner) {
				if !seen[j.JobName] {
					seen[j.JobName] = true
					out = append(out, j)
				}
			}
		}
	}
	return out
}

// recordedValue is the value a recording of vs gives label l, if one sets it.
func recordedValue(s *model.Stack, vs *parser.VectorSelector, l string) (string, bool) {
	for _, r := range Recordings(s, vs) {
		if v, ok := r.Labels[l]; ok {
			return v, true
		}
	}
	return "", false
}
