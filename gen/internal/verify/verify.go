package verify

import (
	"runtime"
	"sync"
	"time"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/rules"
)

// A check inspects the model and the rendered files and reports every
// problem it finds. Checks never stop at the first problem.
type check struct {
	name string
	run  func(m *model.Model, files output.Files) model.Problems
}

// checks is every verification Generate runs, in report order.
var checks = []check{
	{"unique-envs", checkUniqueEnvs},
	{"versions", checkVersions},
	{"prometheus-config", checkPrometheusConfig},
	{"rule-files", checkRuleFiles},
	{"alertmanager-config", checkAlertmanagerConfig},
	{"caddyfile", checkCaddyfile},
	{"routes-to-receiver", checkRouting},
	{"inhibitions", checkInhibitions},
	{"job-coverage", checkJobCoverage},
	{"metric-catalog", checkMetricCatalog},
	{"compose-mounts", checkMounts},
	{"compose-spec", checkComposeSpec},
	{"compose-runtime", checkComposeRuntime},
	{"exposure", checkExposure},
	{"service-addresses", checkServiceAddresses},
	{"no-secrets", checkNoSecrets},
	{"dashboards", checkDashboards},
	{"dashboards-grafana", checkDashboardsGrafana},
	{"runbooks", checkRunbooks},
	{"workflow", checkWorkflow},
	{"rule-tests", rules.CheckRuleTests},
	{"route-tests", checkRouteTests},
	{"delivered-once", checkDeliveredOnce},
	{"k8s-objects", checkK8sObjects},
	{"k8s-prometheus", checkK8sPrometheus},
	{"k8s-selectors", checkK8sSelectors},
	{"k8s-scrape-jobs", checkK8sScrapeJobs},
	{"k8s-datasource", checkK8sDatasource},
	{"k8s-dashboards", checkK8sDashboards},
	{"k8s-rules", checkK8sRules},
	{"k8s-rules-crd", checkK8sRulesCRD},
	{"k8s-alertmanager", checkK8sAlertmanager},
	// k8s-operator, k8s-rbac and k8s-routes: one run of the oracle.
	{"k8s-operator", checkK8sTranslation},
}

// Options adapt a verification to its caller.
type Options struct {
	// Skip names checks that do not apply, each with the reason.
	Skip map[string]string
	// Observe, when set, is told how long each check took.
	Observe func(check string, took time.Duration)
}

// Verify runs every check, in parallel, and returns all problems in
// source order.
func Verify(m *model.Model, files []output.File, opt Options) model.Problems {
	idx := output.Index(files)
	defer shareK8s(m, idx)()
	found := make([]model.Problems, len(checks))
	var mu sync.Mutex // opt.Observe need not be safe for concurrent use
	var wg sync.WaitGroup
	slots := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, c := range checks {
		if _, skip := opt.Skip[c.name]; skip {
			continue
		}
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			start := time.Now()
			found[i] = c.run(m, idx)
			if opt.Observe != nil {
				mu.Lock()
				opt.Observe("check "+c.name, time.Since(start))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	var ps model.Problems
	for i, c := range checks {
		for _, p := range found[i] {
			if p.Rule == "" {
				p.Rule = c.name
			}
			ps = append(ps, p)
		}
	}
	ps.Sort()
	return ps
}
