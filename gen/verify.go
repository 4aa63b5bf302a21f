package gen

import "sort"

// A check inspects the model and the rendered files and reports every
// problem it finds. Checks never stop at the first problem.
type check struct {
	name string
	run  func(m *Model, files Files) Problems
}

// Files indexes rendered files by path.
type Files map[string][]byte

// checks is every verification Generate runs, in report order.
var checks = []check{
	{"unique-envs", checkUniqueEnvs},
	{"prometheus-config", checkPrometheusConfig},
	{"rule-files", checkRuleFiles},
	{"alertmanager-config", checkAlertmanagerConfig},
	{"caddyfile", checkCaddyfile},
	{"schemas", checkSchemas},
	{"routes-to-receiver", checkRouting},
	{"inhibitions", checkInhibitions},
	{"job-coverage", checkJobCoverage},
	{"metric-catalog", checkMetricCatalog},
	{"compose-mounts", checkMounts},
	{"service-addresses", checkServiceAddresses},
	{"no-secrets", checkNoSecrets},
	{"dashboards", checkDashboards},
	{"rule-tests", checkRuleTests},
	{"route-tests", checkRouteTests},
}

// Verify runs every check and returns all problems, sorted for stable output.
func Verify(m *Model, files []File) Problems {
	idx := Files{}
	for _, f := range files {
		idx[f.Path] = f.Data
	}
	var ps Problems
	for _, c := range checks {
		for _, p := range c.run(m, idx) {
			if p.Rule == "" {
				p.Rule = c.name
			}
			ps = append(ps, p)
		}
	}
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].Pos < ps[j].Pos })
	return ps
}
