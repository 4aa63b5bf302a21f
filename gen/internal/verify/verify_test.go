package verify

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/go-kit/log"
	promconfig "github.com/prometheus/prometheus/config"

	amconfig "github.com/prometheus/alertmanager/config"
	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// generate loads and renders the fixture's model, failing the test on error.
func generate(t *testing.T) (*model.Model, output.Files) {
	t.Helper()
	m, err := model.Load(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	files, err := render.Render(m.Stack)
	if err != nil {
		t.Fatal(err)
	}
	idx := output.Files{}
	for _, f := range files {
		idx[f.Path] = f.Data
	}
	return m, idx
}

// TestParsersCatchCorruptedFiles: each real-parser check rejects a rendered
// file corrupted on purpose, not only passes on good input.
func TestParsersCatchCorruptedFiles(t *testing.T) {
	m, good := generate(t)
	o := m.Stack.Outputs
	dash := render.DashboardPath(m.Stack, "lms-api-overview")
	cases := []struct {
		name      string
		check     func(*model.Model, output.Files) model.Problems
		path      string
		old, new  string
		wantInErr string
	}{
		{"prometheus.yml unknown key", checkPrometheusConfig, o.Prometheus.Path, "scrape_configs:", "scrape_configz:", "field scrape_configz not found"},
		{"prometheus.yml bad duration", checkPrometheusConfig, o.Prometheus.Path, "scrape_interval: 15s", "scrape_interval: 15", `not a valid duration string: "15"`},
		{"alerts.yml PromQL", checkRuleFiles, o.Alerts.Path, "up{job=\"lms_api_prod\"} == 0", "up{job=\"lms_api_prod\"} == ", "could not parse expression"},
		{"alerts.yml template", checkRuleFiles, o.Alerts.Path, "(job {{ $labels.job }})", "(job {{ $labels.job )", `annotation "description"`},
		{"alerts.yml dotted label (legacy names)", checkRuleFiles, o.Alerts.Path, "category: security", "team.name: security", `invalid label name: team.name`},
		{"alertmanager.yml undefined receiver", checkAlertmanagerConfig, o.Alertmanager.Path, "receiver: staging-slack", "receiver: staging-slak", `undefined receiver "staging-slak"`},
		{"alertmanager.yml dotted group_by (legacy names)", checkAlertmanagerConfig, o.Alertmanager.Path, "    - job\n", "    - team.name\n", `invalid label name "team.name" in group_by list`},
		{"alertmanager.yml literal and file secret", checkAlertmanagerConfig, o.Alertmanager.Path, "api_url_file: /run/secrets/slack_webhook_ops", "api_url_file: /run/secrets/slack_webhook_ops\n        api_url: http://example.com/x", "at most one of api_url & api_url_file"},
		{"Caddyfile unknown directive", checkCaddyfile, o.Caddyfile.Path, "encode zstd gzip", "encode zstd gzip\n\tcompress brotli", "unrecognized directive: compress"},
		{"Caddyfile not caddy-fmt formatted", checkCaddyfile, o.Caddyfile.Path, "\tencode zstd gzip", "    encode zstd gzip", "not formatted as `caddy fmt` formats it"},
		{"compose unknown key", checkComposeSpec, o.ComposeProd.Path, "    image:", "    imagee: x\n    image:", "validating docker-compose.prod.yml: services.caddy.imagee"},
		{"compose literal Grafana password", checkExposure, o.ComposeObservability.Path, "      GF_USERS_ALLOW_SIGN_UP:", "      GF_SECURITY_ADMIN_PASSWORD: admin\n      GF_USERS_ALLOW_SIGN_UP:", "environment GF_SECURITY_ADMIN_PASSWORD is a literal credential"},
		{"compose secrets read unchecked", checkComposeRuntime, o.ComposeObservability.Path, "    depends_on:\n      alertmanager-secrets:\n        condition: service_completed_successfully\n", "", "service alertmanager: reads the secrets [heartbeat_url"},
		{"compose single-file mount", checkComposeRuntime, o.ComposeObservability.Path, "./ops/observability/prometheus:/etc/prometheus:ro", "./ops/observability/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro", "mounts the generated file ./ops/observability/prometheus/prometheus.yml alone"},
		{"dashboard unknown field", checkDashboards, dash, `"uid": "lms-api-overview",`, `"uid": "lms-api-overview", "sharedCrosshair": true,`, "lms-api-overview"},
		{"dashboard overlapping panels", checkDashboards, dash, "\"w\": 6,\n        \"x\": 6,", "\"w\": 6,\n        \"x\": 3,", "overlaps"},
		{"dashboard panel of an unregistered kind", checkDashboards, dash, `"type": "stat"`, `"type": "piechart"`, `type "piechart" has no variant registered`},
		{"dashboard foreign datasource", checkDashboards, dash, `"uid": "prometheus"`, `"uid": "other-prometheus"`, "other-prometheus"},
		{"workflow key GitHub does not know", checkWorkflow, o.Workflow.Path, "    runs-on: ubuntu-latest", "    runs_on: ubuntu-latest", "GitHub's workflow schema (SchemaStore) rejects it"},
		{"workflow permission level GitHub does not know", checkWorkflow, o.Workflow.Path, "  contents: read", "  contents: admin", "at '/permissions"},
		{"k8s PrometheusRule PromQL (rulefmt)", checkK8sRules, o.Kubernetes.Rules.Path, "up{job=\"lms_api_prod\"} == 0", "up{job=\"lms_api_prod\"} == ", "could not parse expression"},
		{"k8s PrometheusRule not alerts.yml", checkK8sRules, o.Kubernetes.Rules.Path, "for: 2m", "for: 3m", "are not the groups of the rule file"},
		{"k8s PrometheusRule interval the CRD refuses", checkK8sRulesCRD, o.Kubernetes.Rules.Path, "    - name: lms-backend-prod\n", "    - name: lms-backend-prod\n      interval: 5 minutes\n", "PrometheusRule 0: prometheus-operator's CRD (schema/k8s/monitoring/v1/prometheusrule.cue) refuses it: spec.groups.0.interval: invalid value \"5 minutes\""},
		{"k8s PrometheusRule field the CRD does not know", checkK8sRulesCRD, o.Kubernetes.Rules.Path, "    - name: lms-backend-prod\n", "    - name: lms-backend-prod\n      evaluation: 1m\n", "spec.groups.0.evaluation: field not allowed"},
		{"k8s PrometheusRules share a group", checkK8sRules, o.Kubernetes.Rules.Path, "- name: lms-ops-stack", "- name: lms-backend-prod", "which another object holds too"},
		{"k8s config Secret undefined receiver", checkK8sAlertmanager, o.Kubernetes.Alertmanager.Path, "receiver: staging-slack", "receiver: staging-slak", `undefined receiver "staging-slak"`},
		{"k8s config Secret not the one Alertmanager reads", checkK8sAlertmanager, o.Kubernetes.Alertmanager.Path, "configSecret: lms-alertmanager-config", "configSecret: lms-alertmanager", `configSecret "lms-alertmanager": no such Secret`},
		{"k8s config Secret not alertmanager.yml", checkK8sAlertmanager, o.Kubernetes.Alertmanager.Path, "group_wait: 30s", "group_wait: 10s", "is not ops/observability/alertmanager/alertmanager.yml with the credential files moved"},
		{"k8s AlertmanagerConfig objects selected", checkK8sAlertmanager, o.Kubernetes.Alertmanager.Path, "  configSecret: lms-alertmanager-config\n", "  configSecret: lms-alertmanager-config\n  alertmanagerConfigSelector: {}\n", "the operator would merge AlertmanagerConfig objects"},
		{"k8s credential Secret not mounted", checkK8sAlertmanager, o.Kubernetes.Alertmanager.Path, "    - alertmanager-credentials\n", "    - other-credentials\n", "Secret alertmanager-credentials is not in spec.secrets [other-credentials]"},
		{"k8s PrometheusRule not selected", checkK8sSelectors, o.Kubernetes.Rules.Path, "app.kubernetes.io/part-of: lms-ops", "app.kubernetes.io/part-of: other", "is not selected by the Prometheus's ruleSelector"},
		{"k8s ScrapeConfig in another namespace", checkK8sSelectors, o.Kubernetes.Scrape.Path, "namespace: monitoring", "namespace: default", `is in namespace "default"`},
		{"k8s ScrapeConfig job label", checkK8sScrapeJobs, o.Kubernetes.Scrape.Path, "jobName: lms_api_prod", "jobName: lms-api-prod", `gives job="lms-api-prod", which is no job`},
		{"k8s alerting to another Service", checkK8sPrometheus, o.Kubernetes.Prometheus.Path, "name: alertmanager-operated", "name: alertmanager-main", "alerts go to monitoring/alertmanager-main"},
		{"k8s selector left out", checkK8sSelectors, o.Kubernetes.Prometheus.Path, "  podMonitorSelector:\n", "  podMonitorSelectorr:\n", "spec.podMonitorSelector is not an explicit label selector"},
		{"k8s dashboard ConfigMap without the sidecar label", checkK8sDashboards, o.Kubernetes.Dashboards.Path, `grafana_dashboard: "1"`, `grafana_dashboard: "0"`, "lacks the label grafana_dashboard"},
		{"k8s datasource ConfigMap without the sidecar label", checkK8sDatasource, o.Kubernetes.Datasource.Path, `grafana_datasource: "1"`, `grafana_datasource: "0"`, "lacks the label grafana_datasource"},
		{"k8s datasource of another uid", checkK8sDatasource, o.Kubernetes.Datasource.Path, "uid: prometheus", "uid: other", `provisions no datasource with uid "prometheus"`},
		{"k8s dashboard ConfigMap stale", checkK8sDashboards, o.Kubernetes.Dashboards.Path, `"title": "LMS API overview"`, `"title": "LMS API"`, "does not hold the rendered dashboard"},
		{"k8s Prometheus without its service account", checkK8sRBAC, o.Kubernetes.Prometheus.Path, "  serviceAccountName: prometheus-lms\n", "", "service account monitoring/default: the Prometheus's alerting.alertmanagers[0] (kubernetes_sd_configs role endpoints) needs list, watch on endpoints in namespace monitoring; no rule bound to its service account grants list, watch (bindings: none)"},
		{"k8s Role without list on endpoints", checkK8sRBAC, o.Kubernetes.RBAC.Path, "      - endpoints\n    verbs:\n      - get\n      - list\n", "      - endpoints\n    verbs:\n      - get\n", "needs list, watch on endpoints in namespace monitoring; no rule bound to its service account grants list (bindings: RoleBinding monitoring/lms-prometheus → Role monitoring/lms-prometheus)"},
		{"k8s Role without EndpointSlices", checkK8sRBAC, o.Kubernetes.RBAC.Path, "      - discovery.k8s.io\n", "      - discovery.k8s.io.example\n", "(kubernetes_sd_configs role endpointslice) needs list, watch on endpointslices.discovery.k8s.io"},
		{"k8s RoleBinding to another account", checkK8sRBAC, o.Kubernetes.RBAC.Path, "    name: prometheus-lms\n    namespace: monitoring\n", "    name: default\n    namespace: monitoring\n", "grants list, watch (bindings: none)"},
		{"k8s service account no object creates", checkK8sRBAC, o.Kubernetes.Prometheus.Path, "serviceAccountName: prometheus-lms", "serviceAccountName: prometheus", "runs as service account prometheus, which no ServiceAccount object in ops/k8s creates"},
		{"k8s misspelt field (operator's strict decoding)", checkK8sOperator, o.Kubernetes.Prometheus.Path, "  replicas: 2\n", "  replicaz: 2\n", `ops/k8s/prometheus.yaml: document 0: error unmarshaling JSON: while decoding JSON: json: unknown field "replicaz"`},
		{"k8s ScrapeConfig without jobName (operator's job label)", checkK8sOperator, o.Kubernetes.Scrape.Path, "  jobName: caddy\n", "", `scrape job scrapeConfig/monitoring/caddy gives job="scrapeConfig/monitoring/caddy", which is no job of prometheus.yml`},
		{"k8s ScrapeConfig metrics path", checkK8sOperator, o.Kubernetes.Scrape.Path, "  metricsPath: /metrics\n", "  metricsPath: /metric\n", `job="lms_api_prod": metrics path /metric, prometheus.yml /metrics`},
		{"k8s ScrapeConfig interval", checkK8sOperator, o.Kubernetes.Scrape.Path, "  jobName: caddy\n", "  jobName: caddy\n  scrapeInterval: 1m\n", `job="caddy": scrape interval 1m, prometheus.yml 15s`},
		{"k8s replica label left on alerts", checkK8sOperator, o.Kubernetes.Prometheus.Path, "  replicas: 2\n", "  replicas: 2\n  replicaExternalLabelName: \"\"\n  externalLabels:\n    replica: $(POD_NAME)\n", "Alertmanager would not de-duplicate them"},
		{"k8s route with the operator's label", checkK8sRoutes, o.Kubernetes.Alertmanager.Path, "            - alertname=\"Watchdog\"\n", "            - alertname=\"Watchdog\"\n            - prometheus=\"\"\n", `route case "stack/Watchdog": labels {alertname="Watchdog", prometheus="monitoring/lms", service="lms-ops", severity="none"} reach [ops-slack]`},
		// What Alertmanager receives is what Prometheus's external labels
		// and alert_relabel_configs make of the rule's labels.
		{"prometheus.yml drops the environment from alerts: production stops paging", checkRouting, o.Prometheus.Path, "alerting:\n", "alerting:\n  alert_relabel_configs:\n    - action: labeldrop\n      regex: environment\n", "is a production critical alert but pages nobody (receivers [ops-slack])"},
		{"prometheus.yml drops the environment: route cases on the delivered labels", checkRouteTests, o.Prometheus.Path, "alerting:\n", "alerting:\n  alert_relabel_configs:\n    - action: labeldrop\n      regex: environment\n", `reach [ops-slack], want [production-pagerduty production-slack]; routes taken: {} (as prometheus sends it)`},
		{"prometheus.yml drops an alert", checkDeliveredOnce, o.Prometheus.Path, "alerting:\n", "alerting:\n  alert_relabel_configs:\n    - action: drop\n      source_labels: [alertname]\n      regex: Watchdog\n", "alert Watchdog: in the compose topology, dropped by the alert_relabel_configs of prometheus: Alertmanager never receives it"},
		{"secret in a rendered file", checkNoSecrets, o.Alertmanager.Path, "resolve_timeout: 5m", "resolve_timeout: 5m\n  slack_api_url: https://hooks.slack.com/services/T0/B0/x", "looks like a literal secret key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if ps := tc.check(m, good); len(ps) != 0 {
				t.Fatalf("good files fail: %v", ps)
			}
			bad := output.Files{}
			for k, v := range good {
				bad[k] = v
			}
			if !strings.Contains(string(good[tc.path]), tc.old) {
				t.Fatalf("%s does not contain %q", tc.path, tc.old)
			}
			bad[tc.path] = []byte(strings.Replace(string(good[tc.path]), tc.old, tc.new, 1))
			ps := tc.check(m, bad)
			if !strings.Contains(ps.Error(), tc.wantInErr) {
				t.Fatalf("want a problem containing %q, got:\n%v", tc.wantInErr, ps)
			}
		})
	}
}

// TestLegacyNameValidation pins the name validation of the deployed servers:
// Prometheus 2.54.1 and Alertmanager 0.27.0 reject a dotted label name. In a
// module that also links Caddy, prometheus/common would default to UTF-8
// names and accept it , which is why Caddy has its own module.
func TestLegacyNameValidation(t *testing.T) {
	if pmodel.NameValidationScheme != pmodel.LegacyValidation {
		t.Fatalf("prometheus/common name validation is %v, want legacy (the deployed servers' scheme)", pmodel.NameValidationScheme)
	}
	rule := "groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    labels:\n      team.name: x\n"
	if _, errs := rulefmt.Parse([]byte(rule)); len(errs) == 0 {
		t.Error("rulefmt accepted label team.name; Prometheus 2.54.1 rejects it")
	}
	am := "route:\n  receiver: r\n  group_by: [team.name]\nreceivers:\n- name: r\n"
	if _, err := amconfig.Load(am); err == nil {
		t.Error("Alertmanager's loader accepted group_by team.name; Alertmanager 0.27.0 rejects it")
	}
}

// TestNoSecretsShapes: a 32-hex-digit key is found wherever it stands, and
// the 32 digits of a decimal fraction are not a key.
func TestNoSecretsShapes(t *testing.T) {
	for _, tc := range []struct {
		line string
		want bool
	}{
		{"routing_key_file: 0123456789abcdef0123456789abcdef", true},
		{"0123456789abcdef0123456789abcdef", true},
		{`key: "0123456789abcdef0123456789abcdef"`, true},
		{`le="0.39473684210526315789473684210526"`, false},
		{"values: 0+0.12345678901234567890123456789012x10", false},
		// Each pattern through its cheap test, and what must not match.
		{`  - "password": x`, true},
		{"    smtp_auth_password: x", true},
		{"    smtp_auth_password_file: /run/secrets/smtp_password", false},
		{"url: https://hooks.slack.com/services/T0/B0/x", true},
		{"note: xoxb-1234567890abc", true},
		{"-----BEGIN RSA PRIVATE KEY-----", true},
		{"id: AKIAABCDEFGHIJKLMNOP", true},
		{"id: AKIA1234", false},
		{"key: 0123456789abcdef0123456789abcdef\r\nnext: 1", true},
	} {
		got := len(checkNoSecrets(nil, output.Files{"f.yml": []byte(tc.line)})) > 0
		if got != tc.want {
			t.Errorf("%q: flagged %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestOperatorTranslation: prometheus-operator's own translation of the
// fixture's ops/k8s/ (tools/operatororacle) agrees with its compose
// prometheus.yml and alerts.yml, and every route and inhibition case holds
// on the labels its alerts carry. With -v it prints the comparison, job by
// job label.
func TestOperatorTranslation(t *testing.T) {
	m, files := generate(t)
	if ps := checkK8sTranslation(m, files); len(ps) > 0 {
		t.Fatalf("the operator's translation disagrees:\n%v", ps)
	}
	tr, ps := operatorTranslation(m, files, nil)
	if tr == nil {
		t.Fatal(ps)
	}
	compose, err := promconfig.Load(string(files[m.Stack.Outputs.Prometheus.Path]), false, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	want, _ := jobViews(compose)
	var b strings.Builder
	fmt.Fprintf(&b, "prometheus-operator %s\n| job label | compose job_name / operator job_name | targets (compose / operator) | target labels but instance | metrics path | interval / timeout |\n|---|---|---|---|---|---|\n", tr.res.Operator)
	for _, flavour := range slices.Sorted(maps.Keys(tr.configs)) {
		got, _ := jobViews(tr.configs[flavour][0])
		for _, job := range slices.Sorted(maps.Keys(want)) {
			w, g := want[job], got[job]
			fmt.Fprintf(&b, "| %s (%s) | %s / %s | %d / %d | %s | %s | %s / %s |\n", job, flavour, w.jobName, g.jobName, w.targets, g.targets,
				strings.Join(g.Labels, " "), g.Path, g.Interval, g.Timeout)
		}
		ext, _ := alertLabels(tr.configs[flavour][0], nil)
		fmt.Fprintf(&b, "%s: external labels %v; alerts carry %v after alert_relabel_configs\n", flavour, tr.configs[flavour][0].GlobalConfig.ExternalLabels, ext)
	}
	for name, text := range tr.res.Rules {
		fmt.Fprintf(&b, "rule file %s: %d bytes, equal to alerts.yml\n", name, len(text))
	}
	t.Log("\n" + b.String())
}

// TestExposureProxiedUI: the exposure rule still refuses a Caddy site
// proxying to a UI without a login when the model reaches it by another
// way than settings.caddy.upstream (which the schema holds already).
func TestExposureProxiedUI(t *testing.T) {
	m, files := generate(t)
	if ps := checkExposure(m, files); len(ps) != 0 {
		t.Fatalf("good model fails: %v", ps)
	}
	m.Stack.Outputs.Caddyfile.Caddy.Sites[0].Upstream = "alertmanager:9093"
	if ps := checkExposure(m, files); !strings.Contains(ps.Error(), "proxies the public site to alertmanager, whose UI does not authenticate its users") {
		t.Errorf("want the proxied UI refused, got: %v", ps)
	}
}

// TestK8sReadOnce: within one Verify run the checks of ops/k8s/ share one
// read of the files; outside of it, or for other files, each reads its own.
func TestK8sReadOnce(t *testing.T) {
	m, files := generate(t)
	other := maps.Clone(files)
	done := shareK8s(m, files)
	a, _ := loadK8s(m, files)
	b, _ := loadK8s(m, files)
	c, _ := loadK8s(m, other)
	if a == nil || a != b {
		t.Errorf("two reads in one run: %p and %p, want the same set", a, b)
	}
	if c == a {
		t.Error("other files share the run's set")
	}
	done()
	if d, _ := loadK8s(m, files); d == a {
		t.Error("the run is over, and its set is still shared")
	}
}
