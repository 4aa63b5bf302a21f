package verify

import (
	"fmt"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	"github.com/go-kit/log"
	pmodel "github.com/prometheus/common/model"
	promconfig "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/relabel"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/scrape"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sOperator holds prometheus-operator's own translation of ops/k8s/
// (tools/operatororacle) to the compose stack: every object decodes
// strictly into the operator's and Kubernetes' API types and none is
// rejected; the configuration it generates, in either discovery flavour,
// loads in Prometheus v2.54.1 and scrapes, job label for job label, what
// prometheus.yml scrapes (target labels, metrics path, scheme, interval and
// timeout; hosts differ by design); its rule files are alerts.yml; and
// every replica's alerts carry the same labels once the alert relabelling
// has run, so Alertmanager sees one alert, not one per replica.
func checkK8sOperator(m *model.Model, files output.Files) model.Problems {
	t, ps := operatorTranslation(m, files, nil)
	if t == nil {
		return ps
	}
	return k8sOperator(m, files, t)
}

// checkK8sTranslation runs the oracle once for the three checks that read
// its translation, k8s-operator, k8s-rbac and k8s-routes, and names each
// problem after its check.
func checkK8sTranslation(m *model.Model, files output.Files) model.Problems {
	t, ps := operatorTranslation(m, files, nil)
	if t == nil {
		return ps
	}
	for _, c := range []struct {
		name string
		run  func(*model.Model, output.Files, *translation) model.Problems
	}{{"k8s-operator", k8sOperator}, {"k8s-rbac", k8sRBAC}, {"k8s-routes", k8sRoutes}} {
		for _, p := range c.run(m, files, t) {
			p.Rule = c.name
			ps = append(ps, p)
		}
	}
	return ps
}

// k8sOperator is checkK8sOperator on a translation.
func k8sOperator(m *model.Model, files output.Files, t *translation) model.Problems {
	var ps model.Problems
	k := m.Stack.Outputs.Kubernetes
	scope := "stack: " + path.Dir(k.Readme) + ": prometheus-operator " + t.res.Operator
	add := func(cuePath model.Path, file, format string, args ...any) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{file}, Scope: scope, Msg: fmt.Sprintf(format, args...)})
	}
	for _, e := range t.res.Errors {
		file, _, _ := strings.Cut(e, ":")
		if _, ok := files[file]; !ok {
			file = k.Prometheus.Path
		}
		add(k8sCuePath(m, file), file, "%s", e)
	}
	for _, r := range t.res.Rejected {
		add(model.PathK8s, k.Scrape.Path, "the operator rejects an object: %s", r)
	}
	if t.configs == nil {
		return ps
	}
	compose, err := promconfig.Load(string(files[m.Stack.Outputs.Prometheus.Path]), false, log.NewNopLogger())
	if err != nil {
		return ps // checkPrometheusConfig reports it
	}
	want, err := jobViews(compose)
	if err != nil {
		return ps // checkPrometheusConfig reports it
	}
	// A difference every discovery flavour shares is said once.
	flavours := slices.Sorted(maps.Keys(t.configs))
	var diffs []jobDiff
	seen := map[jobDiff][]string{}
	for _, flavour := range flavours {
		cfgs := t.configs[flavour]
		got, err := jobViews(cfgs[0])
		if err != nil {
			add(model.PathK8sScrape, k.Scrape.Path, "%s discovery: %v", flavour, err)
			continue
		}
		for _, d := range diffJobs(want, got) {
			if seen[d] == nil {
				diffs = append(diffs, d)
			}
			seen[d] = append(seen[d], flavour)
		}
		if msg := sameAlertLabels(cfgs); msg != "" {
			add(model.PathK8sPrometheusSpec, k.Prometheus.Path, "%s discovery: %s", flavour, msg)
		}
	}
	for _, d := range diffs {
		if fs := seen[d]; len(fs) < len(flavours) {
			d.msg = strings.Join(fs, ", ") + " discovery: " + d.msg
		}
		add(d.cuePath(m), k.Scrape.Path, "%s", d.msg)
	}
	if msg := sameRules(t.res.Rules, len(k.Rules.Objects), files[m.Stack.Outputs.Alerts.Path]); msg != "" {
		add(model.PathK8sRuleObjects, k.Rules.Path, "%s", msg)
	}
	return ps
}

// k8sCuePath is the CUE value a file of ops/k8s/ is rendered from.
func k8sCuePath(m *model.Model, file string) model.Path {
	k := m.Stack.Outputs.Kubernetes
	switch file {
	case k.Prometheus.Path:
		return model.PathK8sPrometheusObject
	case k.Alertmanager.Path:
		return model.PathK8sAlertmanager
	case k.Rules.Path:
		return model.PathK8sRuleObjects
	case k.Scrape.Path:
		return model.PathK8sScrape
	case k.Dashboards.Path:
		return model.PathK8sDashboards
	case k.RBAC.Path:
		return model.PathK8sRBAC
	}
	return model.PathK8s
}

// jobView is what one scrape job does to its targets, their hosts aside.
type jobView struct {
	// Labels are each target's labels but instance, deduplicated.
	Labels                            []string
	Path, Scheme, Interval, Timeout   string
	jobName                           string
	targets                           int
	staticOnly, hasKubernetesDiscover bool
}

// jobViews builds every static target of cfg with Prometheus v2.54.1's
// own target builder (scrape.TargetsFromGroup: the job, instance, scheme,
// path and interval labels, then relabel_configs), and groups them by the
// job label they end up with.
func jobViews(cfg *promconfig.Config) (map[string]*jobView, error) {
	out := map[string]*jobView{}
	lb := labels.NewBuilder(labels.EmptyLabels())
	for _, sc := range cfg.ScrapeConfigs {
		for _, dc := range sc.ServiceDiscoveryConfigs {
			static, ok := dc.(discovery.StaticConfig)
			if !ok {
				return nil, fmt.Errorf("job_name %s discovers its targets with %s, which is not built offline", sc.JobName, dc.Name())
			}
			for _, tg := range static {
				targets, errs := scrape.TargetsFromGroup(tg, sc, false, nil, lb)
				if len(errs) > 0 {
					return nil, fmt.Errorf("job_name %s: %v", sc.JobName, errs[0])
				}
				for _, tgt := range targets {
					addTarget(out, sc, tgt)
				}
			}
		}
	}
	return out, nil
}

// addTarget adds a built target to the view of its job label.
func addTarget(out map[string]*jobView, sc *promconfig.ScrapeConfig, tgt *scrape.Target) {
	ls := tgt.Labels(&labels.ScratchBuilder{})
	job := ls.Get(pmodel.JobLabel)
	v := out[job]
	if v == nil {
		u := tgt.URL()
		v = &jobView{Path: u.Path, Scheme: u.Scheme, Interval: tgt.GetValue(pmodel.ScrapeIntervalLabel),
			Timeout: tgt.GetValue(pmodel.ScrapeTimeoutLabel), jobName: sc.JobName}
		out[job] = v
	}
	v.targets++
	rest := labels.NewBuilder(ls).Del(pmodel.InstanceLabel).Labels().String()
	if !slices.Contains(v.Labels, rest) {
		v.Labels = append(v.Labels, rest)
		slices.Sort(v.Labels)
	}
}

// jobDiff is one way the operator's jobs differ from prometheus.yml's.
type jobDiff struct {
	job, msg string
}

// cuePath points at the ScrapeConfig that gives the job, or the list.
func (d jobDiff) cuePath(m *model.Model) model.Path {
	for i, j := range m.Stack.Outputs.Prometheus.Config.ScrapeConfigs {
		if j.JobName == d.job {
			return model.PathK8sScrapeSpec.At(i)
		}
	}
	return model.PathK8sScrape
}

// diffJobs compares the compose jobs (want) with the operator's (got), by
// job label.
func diffJobs(want, got map[string]*jobView) []jobDiff {
	var out []jobDiff
	for _, job := range slices.Sorted(maps.Keys(want)) {
		w, g := want[job], got[job]
		if g == nil {
			out = append(out, jobDiff{job, fmt.Sprintf("no scrape job gives job=%q, a job of prometheus.yml (the operator's jobs: %s)", job, jobLabels(got))})
			continue
		}
		for _, f := range []struct{ name, w, g string }{
			{"target labels", strings.Join(w.Labels, " "), strings.Join(g.Labels, " ")},
			{"metrics path", w.Path, g.Path}, {"scheme", w.Scheme, g.Scheme},
			{"scrape interval", w.Interval, g.Interval}, {"scrape timeout", w.Timeout, g.Timeout},
		} {
			if f.w != f.g {
				out = append(out, jobDiff{job, fmt.Sprintf("job=%q: %s %s, prometheus.yml %s", job, f.name, f.g, f.w)})
			}
		}
	}
	for _, job := range slices.Sorted(maps.Keys(got)) {
		if want[job] == nil {
			out = append(out, jobDiff{job, fmt.Sprintf("scrape job %s gives job=%q, which is no job of prometheus.yml", got[job].jobName, job)})
		}
	}
	return out
}

func jobLabels(v map[string]*jobView) string {
	return strings.Join(slices.Sorted(maps.Keys(v)), ", ")
}

// alertLabels are the labels an alert with labels in is sent with by a
// Prometheus loaded with cfg: the external labels it lacks added, then
// alerting.alert_relabel_configs (Prometheus v2.54.1
// notifier/notifier.go, relabelAlerts).
func alertLabels(cfg *promconfig.Config, in map[string]string) (map[string]string, bool) {
	lb := labels.NewBuilder(labels.FromMap(in))
	cfg.GlobalConfig.ExternalLabels.Range(func(l labels.Label) {
		if in[l.Name] == "" {
			lb.Set(l.Name, l.Value)
		}
	})
	if !relabel.ProcessBuilder(lb, cfg.AlertingConfig.AlertRelabelConfigs...) {
		return nil, false
	}
	return lb.Labels().Map(), true
}

// sameAlertLabels says how the replicas' alerts differ, "" when they do
// not: an alert that differs by replica reaches Alertmanager once per
// replica, and is notified once per replica.
func sameAlertLabels(cfgs []*promconfig.Config) string {
	first, _ := alertLabels(cfgs[0], nil)
	for i, c := range cfgs[1:] {
		if ls, _ := alertLabels(c, nil); !maps.Equal(ls, first) {
			return fmt.Sprintf("replica 0's alerts carry %v, replica %d's %v: Alertmanager would not de-duplicate them", first, i+1, ls)
		}
	}
	return ""
}

// sameRules: the operator writes a rule file per PrometheusRule (want of
// them), which Prometheus v2.54.1's rulefmt accepts, and whose groups
// together are alerts.yml's groups.
func sameRules(ruleFiles map[string]string, want int, alerts []byte) string {
	if len(ruleFiles) != want {
		return fmt.Sprintf("the operator writes %d rule files, want %d (one per PrometheusRule)", len(ruleFiles), want)
	}
	got := map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(ruleFiles)) {
		text := ruleFiles[name]
		if _, errs := rulefmt.Parse([]byte(text)); len(errs) > 0 {
			return fmt.Sprintf("rule file %s: %s%v", name, rejects("Prometheus", prometheusModule), errs[0])
		}
		groups, ok := groupsByName([]byte(text))
		if !ok {
			return "" // the rule-files check reports it
		}
		maps.Copy(got, groups)
	}
	wantGroups, ok := groupsByName(alerts)
	if !ok {
		return "" // the rule-files check reports it
	}
	if !reflect.DeepEqual(got, wantGroups) {
		return "the groups of the rule files the operator writes are not alerts.yml's groups"
	}
	return ""
}
