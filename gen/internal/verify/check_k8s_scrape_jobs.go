package verify

import (
	"encoding/json"
	"maps"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
)

// checkK8sScrapeJobs: each ScrapeConfig's job label is a job of
// prometheus.yml, with the same target labels, and every job the alerts
// select has a ScrapeConfig.
func checkK8sScrapeJobs(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	s := m.Stack
	file := s.Outputs.Kubernetes.Scrape.Path
	var ps model.Problems
	add := func(cuePath model.Path, format string, args ...any) {
		ps = append(ps, k8sProblem(m, cuePath, file, format, args...))
	}
	jobs := map[string]model.ScrapeJob{}
	for _, j := range s.Outputs.Prometheus.Config.ScrapeConfigs {
		jobs[j.JobName] = j
	}
	k8sJobs := map[string]bool{}
	for i, sc := range set.scrape {
		var sp scrapeConfigSpec
		cuePath := model.PathK8sScrapeSpec.At(i)
		if err := json.Unmarshal(sc.Spec, &sp); err != nil {
			add(cuePath, "spec does not read: %v", err)
			continue
		}
		k8sJobs[sp.JobName] = true
		j, ok := jobs[sp.JobName]
		if !ok {
			add(cuePath, "ScrapeConfig %s gives job=%q, which is no job of %s", sc.Metadata.Name, sp.JobName, s.Outputs.Prometheus.Path)
			continue
		}
		for ci, c := range sp.StaticConfigs {
			if ci < len(j.StaticConfigs) && !maps.Equal(c.Labels, j.StaticConfigs[ci].Labels) {
				add(cuePath, "ScrapeConfig %s labels its targets %v, prometheus.yml's job %s %v", sc.Metadata.Name, c.Labels, j.JobName, j.StaticConfigs[ci].Labels)
			}
		}
	}
	if !promql.AllRulesParse(s) {
		return ps // rule-files reports it
	}
	for _, r := range parsedRules(s) {
		for _, vs := range promql.Selectors(r.expr) {
			for _, j := range promql.JobsMatching(s, vs) {
				if !k8sJobs[j.JobName] {
					add(model.PathK8sScrape, "%s selects job %q, which no ScrapeConfig gives", r.What(), j.JobName)
					k8sJobs[j.JobName] = true // once
				}
			}
		}
	}
	return ps
}
