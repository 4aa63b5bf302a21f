package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"reflect"
	"slices"
	"strings"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// The checks of ops/k8s/ read the rendered files back, as the API server
// would receive them. Each object has already been unified with the CUE
// definition generated from the operator's CRD (schema/k8s.cue); these
// checks add what a schema cannot say: the real parsers on the embedded
// rule file and Alertmanager configuration, and the references between
// objects.

// k8sObject is the part of an object the checks read.
type k8sObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec       json.RawMessage   `json:"spec"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
}

type labelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels"`
	MatchExpressions []any             `json:"matchExpressions"`
}

// selects tells whether the selector selects an object with labels ls.
// lms-ops writes matchLabels only; an expression is not evaluated here.
func (s *labelSelector) selects(ls map[string]string) bool {
	if s == nil || len(s.MatchExpressions) > 0 {
		return false
	}
	for k, v := range s.MatchLabels {
		if ls[k] != v {
			return false
		}
	}
	return true
}

type prometheusSpec struct {
	Version                string         `json:"version"`
	RuleSelector           *labelSelector `json:"ruleSelector"`
	ScrapeConfigSelector   *labelSelector `json:"scrapeConfigSelector"`
	ServiceMonitorSelector *labelSelector `json:"serviceMonitorSelector"`
	PodMonitorSelector     *labelSelector `json:"podMonitorSelector"`
	Alerting               struct {
		Alertmanagers []struct {
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
			Port      any    `json:"port"`
		} `json:"alertmanagers"`
	} `json:"alerting"`
}

type alertmanagerSpec struct {
	Version      string   `json:"version"`
	ConfigSecret string   `json:"configSecret"`
	Secrets      []string `json:"secrets"`
	// Any of these makes the operator generate or merge configuration
	// of its own into the verified one.
	AlertmanagerConfigSelector *labelSelector `json:"alertmanagerConfigSelector"`
	AlertmanagerConfiguration  any            `json:"alertmanagerConfiguration"`
}

type scrapeConfigSpec struct {
	JobName       string `json:"jobName"`
	MetricsPath   string `json:"metricsPath"`
	StaticConfigs []struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	} `json:"staticConfigs"`
}

// k8sDocs reads the YAML documents of a rendered file.
func k8sDocs(data []byte) ([]k8sObject, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []k8sObject
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		var o k8sObject
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
}

// k8sSet is every object of ops/k8s/, by file.
type k8sSet struct {
	prometheus   k8sObject
	alertmanager k8sObject
	configSecret *k8sObject
	rules        []k8sObject
	scrape       []k8sObject
	dashboards   []k8sObject
}

// loadK8s reads the rendered objects; a file that does not read, or holds
// other kinds than gen writes there, is a problem.
func loadK8s(m *model.Model, files output.Files) (*k8sSet, model.Problems) {
	k := m.Stack.Outputs.Kubernetes
	var ps model.Problems
	read := func(p string, cuePath model.Path, kinds ...string) []k8sObject {
		docs, err := k8sDocs(files[p])
		if err != nil {
			ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + p, Msg: "does not read as YAML: " + err.Error()})
			return nil
		}
		for i, d := range docs {
			if !slices.Contains(kinds, d.Kind) {
				ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + p,
					Msg: fmt.Sprintf("document %d is a %q, want one of %v", i, d.Kind, kinds)})
			}
		}
		return docs
	}
	set := &k8sSet{}
	one := func(docs []k8sObject, kind string) k8sObject {
		for _, d := range docs {
			if d.Kind == kind {
				return d
			}
		}
		return k8sObject{}
	}
	prom := read(k.Prometheus.Path, model.PathK8sPrometheus, "Prometheus")
	am := read(k.Alertmanager.Path, model.PathK8sAlertmanager, "Alertmanager", "Secret")
	set.rules = read(k.Rules.Path, model.PathK8sRules, "PrometheusRule")
	set.scrape = read(k.Scrape.Path, model.PathK8sScrape, "ScrapeConfig")
	set.dashboards = read(k.Dashboards.Path, model.PathK8sDashboards, "ConfigMap")
	set.prometheus, set.alertmanager = one(prom, "Prometheus"), one(am, "Alertmanager")
	for i := range am {
		if am[i].Kind == "Secret" {
			set.configSecret = &am[i]
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return set, nil
}

// checkK8sRules: each PrometheusRule's groups go through Prometheus
// 2.54.1's rulefmt (what the operator's admission webhook runs), and the
// objects' groups together are the groups of alerts.yml, rule for rule.
// Prometheus evaluates groups independently, so the objects may hold them
// in another order; each group is compared by name.
func checkK8sRules(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	p := m.Stack.Outputs.Kubernetes.Rules.Path
	prob := func(cuePath model.Path, msg string) model.Problems {
		return model.Problems{{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + path.Base(p), Msg: msg}}
	}
	got := map[string]any{}
	for i, r := range set.rules {
		cuePath := model.PathK8sRuleGroups.At(i)
		var spec struct {
			Groups []map[string]any `json:"groups"`
		}
		if err := json.Unmarshal(r.Spec, &spec); err != nil {
			return prob(cuePath, "spec does not read: "+err.Error())
		}
		data, err := yaml.Marshal(spec)
		if err != nil {
			return prob(cuePath, err.Error())
		}
		if _, errs := rulefmt.Parse(data); len(errs) > 0 {
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			return prob(cuePath, fmt.Sprintf("PrometheusRule %s: %s%s", r.Metadata.Name, rejects("Prometheus", prometheusModule), strings.Join(msgs, "; ")))
		}
		for _, g := range spec.Groups {
			name := fmt.Sprint(g["name"])
			if _, dup := got[name]; dup {
				return prob(cuePath, fmt.Sprintf("PrometheusRule %s holds group %s, which another object holds too: Prometheus would evaluate it twice", r.Metadata.Name, name))
			}
			got[name] = g
		}
	}
	var alerts struct {
		Groups []map[string]any `yaml:"groups"`
	}
	if err := yaml.Unmarshal(files[m.Stack.Outputs.Alerts.Path], &alerts); err != nil {
		return nil // checkRuleFiles reports it
	}
	want := map[string]any{}
	for _, g := range alerts.Groups {
		want[fmt.Sprint(g["name"])] = g
	}
	if raw, err := json.Marshal(want); err != nil || json.Unmarshal(raw, &want) != nil {
		return prob(model.PathK8sRuleObjects, fmt.Sprintf("%s does not read as JSON", m.Stack.Outputs.Alerts.Path))
	}
	if raw, err := json.Marshal(got); err != nil || json.Unmarshal(raw, &got) != nil {
		return prob(model.PathK8sRuleObjects, "the PrometheusRules do not read as JSON")
	}
	if !reflect.DeepEqual(got, want) {
		return prob(model.PathK8sRuleObjects, fmt.Sprintf("the PrometheusRules' groups are not the groups of the rule file %s: they must hold the same groups", m.Stack.Outputs.Alerts.Path))
	}
	return nil
}

// checkK8sAlertmanager: the configuration Secret holds a config
// Alertmanager 0.27.0's loader accepts; it is alertmanager.yml, with only
// the credential files moved to where the operator mounts the Secrets of
// spec.secrets; and every credential it reads is a key of a listed Secret.
func checkK8sAlertmanager(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	var ps model.Problems
	s := m.Stack
	k := s.Settings.Kubernetes
	p := s.Outputs.Kubernetes.Alertmanager.Path
	scope := "stack: " + path.Base(p)
	add := func(cuePath model.Path, format string, args ...any) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: scope, Msg: fmt.Sprintf(format, args...)})
	}
	var spec alertmanagerSpec
	if err := json.Unmarshal(set.alertmanager.Spec, &spec); err != nil {
		add(model.PathK8sAlertmanagerObject, "spec does not read: %v", err)
		return ps
	}
	if spec.Version != s.Versions.Alertmanager {
		add(model.PathK8sAlertmanagerVersion, "version %q is not versions.alertmanager %q", spec.Version, s.Versions.Alertmanager)
	}
	if spec.AlertmanagerConfigSelector != nil || spec.AlertmanagerConfiguration != nil {
		add(model.PathK8sAlertmanagerSpec, "spec sets alertmanagerConfigSelector or alertmanagerConfiguration: the operator would merge AlertmanagerConfig objects, whose receivers and matchers it rewrites, into the verified configuration")
	}
	sec := set.configSecret
	if sec == nil || sec.Metadata.Name != spec.ConfigSecret || sec.Metadata.Namespace != set.alertmanager.Metadata.Namespace {
		add(model.PathK8sAlertmanagerCfgSecret, "configSecret %q: no such Secret in namespace %s in %s", spec.ConfigSecret, set.alertmanager.Metadata.Namespace, p)
		return ps
	}
	text, ok := sec.StringData[k.Operator.ConfigKey]
	if !ok {
		add(model.PathK8sAlertmanagerSecret, "Secret %s has no key %s, which the operator reads", sec.Metadata.Name, k.Operator.ConfigKey)
		return ps
	}
	if _, err := amconfig.Load(text); err != nil {
		add(model.PathK8sAlertmanagerConfig, "%s%v", rejects("Alertmanager", alertmanagerModule), err)
		return ps
	}
	// The same config: moving each credential file back to its compose
	// path gives alertmanager.yml, byte for byte.
	var pairs []string
	for secret, keys := range k.Credentials {
		for key := range keys {
			pairs = append(pairs, k.Operator.SecretsDir+"/"+secret+"/"+key, s.Settings.Alertmanager.SecretFiles[key])
		}
	}
	if back := strings.NewReplacer(pairs...).Replace(text); back != string(files[s.Outputs.Alertmanager.Path]) {
		add(model.PathK8sAlertmanagerConfig, "the configuration in Secret %s is not %s with the credential files moved: the two would route differently", sec.Metadata.Name, s.Outputs.Alertmanager.Path)
	}
	for _, f := range secretFiles(s.Outputs.Kubernetes.Alertmanager.Config) {
		rest, ok := strings.CutPrefix(f, k.Operator.SecretsDir+"/")
		secret, key, _ := strings.Cut(rest, "/")
		switch {
		case !ok || strings.Contains(key, "/") || key == "":
			add(model.PathK8sAlertmanagerConfig, "reads %s, not a Secret the operator mounts (%s/<secret>/<key>)", f, k.Operator.SecretsDir)
		case !slices.Contains(spec.Secrets, secret):
			add(model.PathK8sAlertmanagerSecrets, "the config reads %s, but Secret %s is not in spec.secrets %v", f, secret, spec.Secrets)
		case k.Credentials[secret] == nil:
			add(model.PathSettingsK8sCredentials, "the config reads %s, but Secret %s is not in settings.kubernetes.credentials", f, secret)
		default:
			if _, ok := k.Credentials[secret][key]; !ok {
				add(model.PathSettingsK8sCredentials, "the config reads %s, but Secret %s has no key %s", f, secret, key)
			}
		}
	}
	for i, name := range spec.Secrets {
		if k.Credentials[name] == nil {
			add(model.PathK8sAlertmanagerSecretAt.At(i), "spec.secrets lists %s, which ops/k8s/README.md does not say to create (settings.kubernetes.credentials)", name)
		}
	}
	return ps
}

// checkK8sObjects: the references between the objects hold. The
// Prometheus selects the PrometheusRule and every ScrapeConfig (same
// namespace, labels its selectors match) and sends alerts to the
// Alertmanager's governing Service; each ScrapeConfig's job label is a job
// of prometheus.yml with the same labels, and every job the alerts select
// has one; every dashboard has its ConfigMap, with the label Grafana's
// sidecar loads and the rendered JSON.
func checkK8sObjects(m *model.Model, files output.Files) model.Problems {
	set, ps := loadK8s(m, files)
	if set == nil {
		return ps
	}
	s := m.Stack
	k := s.Settings.Kubernetes
	o := s.Outputs.Kubernetes
	add := func(cuePath model.Path, file, format string, args ...any) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{file}, Scope: "stack: " + path.Base(file), Msg: fmt.Sprintf(format, args...)})
	}
	var spec prometheusSpec
	if err := json.Unmarshal(set.prometheus.Spec, &spec); err != nil {
		add(model.PathK8sPrometheusObject, o.Prometheus.Path, "spec does not read: %v", err)
		return ps
	}
	ns := set.prometheus.Metadata.Namespace
	if spec.Version != s.Versions.Prometheus {
		add(model.PathK8sPrometheusVersion, o.Prometheus.Path, "version %q is not versions.prometheus %q", spec.Version, s.Versions.Prometheus)
	}
	for name, sel := range map[string]*labelSelector{"ruleSelector": spec.RuleSelector, "scrapeConfigSelector": spec.ScrapeConfigSelector,
		"serviceMonitorSelector": spec.ServiceMonitorSelector, "podMonitorSelector": spec.PodMonitorSelector} {
		if sel == nil || len(sel.MatchLabels) == 0 {
			add(model.PathK8sPrometheusSpec, o.Prometheus.Path, "spec.%s is not an explicit label selector: unset selects nothing, empty selects every object in the namespace", name)
		}
	}
	selected := func(obj k8sObject, sel *labelSelector, selector string, cuePath model.Path, file string) {
		switch {
		case obj.Metadata.Namespace != ns:
			add(cuePath, file, "%s %s is in namespace %q; the Prometheus (namespace %q) only reads its own", obj.Kind, obj.Metadata.Name, obj.Metadata.Namespace, ns)
		case !sel.selects(obj.Metadata.Labels):
			add(cuePath, file, "%s %s (labels %v) is not selected by the Prometheus's %s", obj.Kind, obj.Metadata.Name, obj.Metadata.Labels, selector)
		}
	}
	for i, r := range set.rules {
		selected(r, spec.RuleSelector, "ruleSelector", model.PathK8sRuleMetadata.At(i), o.Rules.Path)
	}
	for i, sc := range set.scrape {
		selected(sc, spec.ScrapeConfigSelector, "scrapeConfigSelector", model.PathK8sScrapeMetadata.At(i), o.Scrape.Path)
	}
	am := set.alertmanager
	for i, a := range spec.Alerting.Alertmanagers {
		if a.Namespace != am.Metadata.Namespace || a.Name != k.Operator.AlertmanagerService || fmt.Sprint(a.Port) != k.Operator.WebPort {
			add(model.PathK8sPrometheusAM.At(i), o.Prometheus.Path,
				"alerts go to %s/%s port %v; the Alertmanager %s is reached through the operator's Service %s/%s port %s",
				a.Namespace, a.Name, a.Port, am.Metadata.Name, am.Metadata.Namespace, k.Operator.AlertmanagerService, k.Operator.WebPort)
		}
	}
	if len(spec.Alerting.Alertmanagers) == 0 {
		add(model.PathK8sPrometheusSpec, o.Prometheus.Path, "sends alerts to no Alertmanager")
	}

	// Scrape jobs: the job label of each ScrapeConfig.
	jobs := map[string]model.ScrapeJob{}
	for _, j := range s.Outputs.Prometheus.Config.ScrapeConfigs {
		jobs[j.JobName] = j
	}
	k8sJobs := map[string]bool{}
	for i, sc := range set.scrape {
		var sp scrapeConfigSpec
		cuePath := model.PathK8sScrapeSpec.At(i)
		if err := json.Unmarshal(sc.Spec, &sp); err != nil {
			add(cuePath, o.Scrape.Path, "spec does not read: %v", err)
			continue
		}
		k8sJobs[sp.JobName] = true
		j, ok := jobs[sp.JobName]
		if !ok {
			add(cuePath, o.Scrape.Path, "ScrapeConfig %s gives job=%q, which is no job of %s", sc.Metadata.Name, sp.JobName, s.Outputs.Prometheus.Path)
			continue
		}
		for ci, c := range sp.StaticConfigs {
			if ci < len(j.StaticConfigs) && !maps.Equal(c.Labels, j.StaticConfigs[ci].Labels) {
				add(cuePath, o.Scrape.Path, "ScrapeConfig %s labels its targets %v, prometheus.yml's job %s %v", sc.Metadata.Name, c.Labels, j.JobName, j.StaticConfigs[ci].Labels)
			}
		}
	}
	if promql.AllRulesParse(s) {
		for _, r := range parsedRules(s) {
			for _, vs := range promql.Selectors(r.expr) {
				for _, j := range promql.JobsMatching(s, vs) {
					if !k8sJobs[j.JobName] {
						add(model.PathK8sScrape, o.Scrape.Path, "%s selects job %q, which no ScrapeConfig gives", r.What(), j.JobName)
						k8sJobs[j.JobName] = true // once
					}
				}
			}
		}
	}

	ps = append(ps, checkK8sDatasource(m, files)...)

	// Dashboards: a ConfigMap each, with the sidecar's label and the JSON.
	byKey := map[string]k8sObject{}
	for _, cm := range set.dashboards {
		for key := range cm.Data {
			byKey[key] = cm
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Dashboards)) {
		cuePath := model.PathK8sDashboard.At(name)
		cm, ok := byKey[name+".json"]
		switch {
		case !ok:
			add(model.PathK8sDashboards, o.Dashboards.Path, "dashboard %s has no ConfigMap with key %s.json", name, name)
		case cm.Data[name+".json"] != string(files[render.DashboardPath(s, name)]):
			add(cuePath, o.Dashboards.Path, "ConfigMap %s does not hold the rendered dashboard %s", cm.Metadata.Name, render.DashboardPath(s, name))
		case len(cm.Data[name+".json"]) > 1<<20:
			add(cuePath, o.Dashboards.Path, "ConfigMap %s is over the API server's 1 MiB limit", cm.Metadata.Name)
		default:
			for l, v := range k.DashboardLabels {
				if cm.Metadata.Labels[l] != v {
					add(cuePath, o.Dashboards.Path, "ConfigMap %s lacks the label %s=%q Grafana's sidecar loads", cm.Metadata.Name, l, v)
				}
			}
		}
	}
	return ps
}

// checkK8sDatasource: Grafana's datasource sidecar loads the datasource
// ConfigMap (its label), and the datasource it provisions is the one every
// dashboard names by uid.
func checkK8sDatasource(m *model.Model, files output.Files) model.Problems {
	d := m.Stack.Outputs.Kubernetes.Datasource
	k := m.Stack.Settings.Kubernetes
	prob := func(format string, args ...any) model.Problems {
		return model.Problems{{Pos: m.PosOf("", model.PathK8sDatasource), Also: []string{d.Path}, Scope: "stack: " + path.Base(d.Path), Msg: fmt.Sprintf(format, args...)}}
	}
	docs, err := k8sDocs(files[d.Path])
	if err != nil || len(docs) != 1 || docs[0].Kind != "ConfigMap" {
		return prob("does not hold one ConfigMap")
	}
	cm := docs[0]
	for l, v := range k.DatasourceLabels {
		if cm.Metadata.Labels[l] != v {
			return prob("ConfigMap %s lacks the label %s=%q Grafana's datasource sidecar loads", cm.Metadata.Name, l, v)
		}
	}
	var cfg model.GrafanaDatasources
	if err := yaml.Unmarshal([]byte(cm.Data[d.Key]), &cfg); err != nil {
		return prob("ConfigMap %s key %s does not read: %v", cm.Metadata.Name, d.Key, err)
	}
	uid := m.Stack.Settings.Grafana.Datasource.UID
	found := false
	for _, ds := range cfg.Datasources {
		found = found || ds.UID == uid
	}
	if !found {
		return prob("ConfigMap %s provisions no datasource with uid %q, which the dashboards use", cm.Metadata.Name, uid)
	}
	return nil
}

// checkK8sRoutes runs every routing and inhibition case on the
// configuration in the Kubernetes Secret, with the labels the alerts of the
// operator's Prometheus really carry: the case's labels, then the external
// labels and alert relabelling of the configuration prometheus-operator
// generates (tools/operatororacle), as Prometheus v2.54.1 applies them
// before sending (alertLabels). So the routing proofs hold for the alerts
// Alertmanager receives in the cluster.
func checkK8sRoutes(m *model.Model, files output.Files) model.Problems {
	t, _ := operatorTranslation(m, files, nil)
	if t == nil {
		return nil // checkK8sOperator reports why
	}
	return k8sRoutes(m, files, t)
}

// k8sRoutes is checkK8sRoutes on a translation.
func k8sRoutes(m *model.Model, files output.Files, t *translation) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil || set.configSecret == nil || !promql.AllRulesParse(m.Stack) {
		return nil // checkK8sObjects and checkK8sAlertmanager report why
	}
	k := m.Stack.Settings.Kubernetes
	cfg, err := amconfig.Load(set.configSecret.StringData[k.Operator.ConfigKey])
	if err != nil {
		return nil // checkK8sAlertmanager reports it
	}
	if t.configs == nil {
		return nil // checkK8sOperator reports why
	}
	return routes.RunCases(m, cfg, oracleSenders(t), path.Base(m.Stack.Outputs.Kubernetes.Alertmanager.Path))
}

// oracleSenders are the Prometheus pods of the operator's own translation,
// every discovery flavour and replica: their external labels and
// alert_relabel_configs, as the operator generates them.
func oracleSenders(t *translation) []routes.Sender {
	var out []routes.Sender
	for _, flavour := range slices.Sorted(maps.Keys(t.configs)) {
		for i, c := range t.configs[flavour] {
			out = append(out, routes.Sender{
				Name:           fmt.Sprintf("prometheus-operator (%s discovery) replica %d", flavour, i),
				ExternalLabels: c.GlobalConfig.ExternalLabels,
				Relabel:        c.AlertingConfig.AlertRelabelConfigs,
			})
		}
	}
	return out
}
