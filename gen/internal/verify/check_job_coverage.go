package verify

import (
	"fmt"
	"path"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// checkJobCoverage: every job matcher of a rule matches a scrape job, and
// every scrape job has an alert on its `up` series (or a documented reason
// in settings.prometheus.unalerted_jobs).
func checkJobCoverage(m *model.Model, _ output.Files) model.Problems {
	var ps model.Problems
	s := m.Stack
	if !promql.AllRulesParse(s) {
		return nil
	}
	art := path.Base(s.Outputs.Alerts.Path)
	covered := map[string]bool{}
	for _, r := range parsedRules(s) {
		pos := func() string { return exprPos(m, r) }
		for _, vs := range promql.Selectors(r.expr) {
			jobs := promql.JobsMatching(s, vs)
			for _, mt := range vs.LabelMatchers {
				if mt.Name == "job" && len(jobs) == 0 {
					ps = append(ps, model.Problem{Pos: pos(), Scope: r.Scope(art), Msg: fmt.Sprintf("job matcher %s matches no scrape job", mt)})
				}
			}
			if vs.Name == "up" {
				for _, j := range jobs {
					covered[j.JobName] = true
				}
			}
		}
	}
	for i, j := range s.Outputs.Prometheus.Config.ScrapeConfigs {
		if _, exempt := s.Settings.Prometheus.UnalertedJobs[j.JobName]; !covered[j.JobName] && !exempt {
			ps = append(ps, model.Problem{
				Pos:   m.PosOf("", model.PathPrometheusJobName.At(i)),
				Scope: "stack: " + path.Base(s.Outputs.Prometheus.Path) + ": job " + j.JobName,
				Msg:   "no alert watches up{job=\"" + j.JobName + "\"}; add one, or a reason to settings.prometheus.unalerted_jobs",
			})
		}
	}
	return ps
}
