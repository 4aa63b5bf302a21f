package gen

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// badEdit is one operator mistake in a copy of the real envs/: the edit,
// and what the error must say (each string must appear in the output).
type badEdit struct {
	name      string
	file      string
	old, new  string
	wantInErr []string
}

// haOff and haOn turn the HA topology on in the fixture's envs/stack.cue.
const haOff, haOn = "enabled:               false", "enabled:               true"

// notInErr are messages that must not appear for a case: consequences of
// the mistake that would bury it.
var notInErr = map[string][]string{
	"PromQL parser": {"[job-coverage]", "[inhibitions]", "[rule-tests]", "[routes-to-receiver]"},
}

// badEdits covers the schema (issue: the CUE model), every whole-stack rule
// and every real parser (issue: mage check proves every artifact).
var badEdits = []badEdit{
	// CUE: syntax, closedness, bounds, enums, secrets, completeness.
	{"syntax error", "envs/prod/alerts.cue", `LMSApiDown: for: "2m"`, `LMSApiDown: for: "2m"}`,
		[]string{"envs/prod/alerts.cue:13:1: env prod: expected 'EOF', found '}'"}},
	{"unknown top-level field", "envs/staging/env.cue", `job:`, "thresholdz: 1\njob:",
		[]string{"envs/staging/env.cue:8:1", "thresholdz: field not allowed"}},
	{"unknown nested field", "envs/prod/alerts.cue", `LMSHighP95Latency: {threshold: 0.75, window: "5m", for: "10m"}`, `LMSHighP95Latency: {threshold: 0.75, window: "5m", forr: "10m"}`,
		[]string{"envs/prod/alerts.cue:11:53: env prod: alerts.LMSHighP95Latency.forr: field not allowed"}},
	{"negative threshold", "envs/prod/alerts.cue", `threshold: 0.75`, `threshold: -1`,
		[]string{"envs/prod/alerts.cue:11:33: env prod: alerts.LMSHighP95Latency.threshold: invalid value -1 (out of bound >0)"}},
	{"ratio above one", "envs/staging/alerts.cue", `threshold: 0.05`, `threshold: 1.5`,
		[]string{"envs/staging/alerts.cue:10:21: env staging: alerts.LMSHighErrorRate.threshold: a share of 5xx responses cannot exceed 1 (all requests), so a threshold of 1.5 could never fire"}},
	{"ratio of one", "envs/prod/alerts.cue", `threshold: 0.05`, `threshold: 1`,
		[]string{"envs/prod/alerts.cue:10:21: env prod: alerts.LMSHighErrorRate.threshold: a share of 5xx responses cannot exceed 1 (all requests), so a threshold of 1 could never fire"}},
	{"window shorter than two scrapes", "envs/prod/alerts.cue", `LMSRateLimitSpike: {threshold: 2, window: "5m"`, `LMSRateLimitSpike: {threshold: 2, window: "20s"`,
		[]string{`envs/prod/alerts.cue:12:44: env prod: alerts.LMSRateLimitSpike.window: window 20s holds fewer than two scrapes (scrape_interval 15s); rate() needs two samples in its window`}},
	{"p95 beyond the largest bucket", "envs/staging/alerts.cue", `LMSHighP95Latency: {threshold: 0.75`, `LMSHighP95Latency: {threshold: 12`,
		[]string{`envs/staging/alerts.cue:11:33: env staging: alerts.LMSHighP95Latency.threshold: p95 threshold 12s is at or above the largest finite bucket of http_request_duration_seconds (10s, metrics catalog)`}},
	{"zero duration spelt with units", "envs/prod/alerts.cue", `LMSRateLimitSpike: {threshold: 2, window: "5m"`, `LMSRateLimitSpike: {threshold: 2, window: "0h0m"`,
		[]string{`envs/prod/alerts.cue:12:44: env prod: alerts.LMSRateLimitSpike.window: invalid value "0h0m" (out of bound =~"[1-9]")`}},
	{"target port above 65535", "envs/staging/env.cue", `"host.docker.internal:8001"`, `"host.docker.internal:80010"`,
		[]string{`envs/staging/env.cue:9:15: env staging: target: invalid value "host.docker.internal:80010"`}},
	{"duration not a Prometheus duration", "envs/prod/alerts.cue", `LMSApiDown: for: "2m"`, `LMSApiDown: for: "2 minutes"`,
		[]string{"envs/prod/alerts.cue:9:", `alerts.LMSApiDown.for: invalid value "2 minutes"`}},
	{"unknown severity", "derive/alerts.cue", `labels: env.labels & {severity: "critical"}`, `labels: env.labels & {severity: "urgent"}`,
		[]string{"derive/alerts.cue:", `severity: invalid value "urgent" (out of bound =~"^(critical|warning|info|none)$")`}},
	{"unknown environment in paging severities", "envs/prod/env.cue", `page_severities: ["critical"]`, `page_severities: ["page"]`,
		[]string{"envs/prod/env.cue:", `notify.page_severities.0: invalid value "page"`}},
	{"literal secret in a receiver", "derive/alertmanager.cue", `api_url_file:  #secret_files.slack_webhook_ops`, `api_url: "https://hooks.slack.com/services/T0/B0/x"`,
		[]string{"derive/alertmanager.cue:", "api_url: field not allowed"}},
	{"secret in free text", "derive/alerts.cue", `summary:     "High 5xx error rate"`, `summary:     "High 5xx error rate, see https://hooks.slack.com/services/T0/B0/x"`,
		[]string{"derive/alerts.cue:", "annotations.summary: invalid value"}},
	{"secret file that is not a compose secret", "derive/alertmanager.cue", `secret_files: {for name, _ in secrets {(name): "\(settings.secrets.mount_dir)/\(name)"}}`, `secret_files: {for name, _ in secrets {(name): "/etc/alertmanager/\(name)"}}`,
		[]string{"envs/alertmanager.cue:", "[compose-mounts] reads secret /etc/alertmanager/smtp_password, which is not a compose secret of service alertmanager"}},
	{"secret files only their owner can read", "envs/alertmanager.cue", `file_mode:    "0444"`, `file_mode:    "0600"`,
		[]string{"envs/alertmanager.cue:", `settings.secrets.file_mode: invalid value "0600" (out of bound =~"^0[0-7][0-7][4-7]$")`}},
	{"secrets read without their check", "derive/compose.cue", `depends_on: ("alertmanager\(settings.secrets.check_suffix)"): condition: "service_completed_successfully"`, ``,
		[]string{"derive/compose.cue:", "service alertmanager: [compose-runtime] reads the secrets [heartbeat_url", "waits for no check of them run in its image"}},
	{"secret file that is not a path", "envs/alertmanager.cue", `mount_dir:    "/run/secrets"`, `mount_dir:    "run secrets"`,
		[]string{"envs/alertmanager.cue:", `invalid value "run secrets"`}},
	{"port out of range", "envs/stack.cue", `grafana: {port: 3000, host_port: 3001,`, `grafana: {port: 3000, host_port: 70000,`,
		[]string{"envs/stack.cue:", "settings.services.grafana.host_port: invalid value 70000 (out of bound <=65535)"}},
	{"missing required field", "envs/staging/env.cue", "target:       \"host.docker.internal:8001\"\n", "",
		[]string{"env staging", "target: field is required but not present"}},
	{"duplicate job", "envs/staging/env.cue", `job:          "lms_api_staging"`, `job:          "lms_api_prod"`,
		[]string{"envs/staging/env.cue:8:15: env staging: job: job lms_api_prod is already the job of env prod", "envs/prod/env.cue:8:15: env prod: job: job lms_api_prod is already the job of env staging"}},
	{"duplicate target", "envs/staging/env.cue", `"host.docker.internal:8001"`, `"host.docker.internal:8000"`,
		[]string{"envs/staging/env.cue:9:15: env staging: [unique-envs] target:"}},

	// Real parsers.
	{"Prometheus config loader", "derive/prometheus.cue", `job_name:     e.job`, `job_name:     "prometheus"`,
		[]string{"[prometheus-config] Prometheus v2.54.1 rejects it", `found multiple scrape configs with job name "prometheus"`}},
	{"PromQL parser", "derive/alerts.cue", `expr:  "up{\(sel)} == 0"`, `expr:  "up{\(sel)} === 0"`,
		[]string{"derive/alerts.cue:43:10: env prod: alerts.yml: alert LMSApiDown: [rule-files] Prometheus v2.54.1 rejects it", `parse error: unexpected "="`}},
	{"annotation template", "derive/alerts.cue", `(job {{ $labels.job }})`, `(job {{ $labels.job }`,
		[]string{"[rule-files] Prometheus v2.54.1 rejects it", `annotation "description"`}},
	{"Alertmanager loader", "derive/alertmanager.cue", `name: settings.alertmanager.policy[n].slack`, `name: "\(settings.alertmanager.policy[n].slack)-old"`,
		[]string{"[alertmanager-config] Alertmanager v0.27.0 rejects it", `undefined receiver "production-slack" used in route`}},
	{"Alertmanager template", "derive/alertmanager.cue", `{{ .Status | toUpper }}`, `{{ .Status | shout }}`,
		[]string{"[alertmanager-config] template slack_configs[0].title fails", `function "shout" not defined`}},
	{"Caddy adapter", "derive/caddy.cue", `address: "{$\(settings.caddy.env.domain)}"`, `address: "lms.example.com:99999"`,
		[]string{"ops/caddy/Caddyfile: stack: Caddyfile: [caddyfile] Caddy rejects it: parsing key: port 99999 is out of range"}},
	{"unknown field in the shared stack", "envs/stack.cue", `api: {port: 8000}`, `api: {port: 8000}, caddy_extra: 1`,
		[]string{"envs/stack.cue:", "stack: settings.services.caddy_extra: field not allowed"}},
	{"Caddy placeholder without example", "envs/caddy.cue", `(env.email):  "ops@lms.example.com"`, ``,
		[]string{"[caddyfile] placeholder {$LETSENCRYPT_EMAIL} has no example value"}},

	// Whole-stack rules.
	{"alert falls through to the root", "derive/alertmanager.cue", `matchers: ["environment=\"\(env)\""]`, `matchers: ["env=\"\(env)\""]`,
		[]string{"env staging: alertmanager.yml: alert LMSApiDown: [routes-to-receiver] falls through to the root receiver \"ops-slack\""}},
	{"inhibition on a label no alert carries", "derive/alertmanager.cue", `target_matchers: ["severity=\"warning\""]
			equal: ["environment", "job"]`, `target_matchers: ["severity=\"warning\""]
			equal: ["environment", "cluster"]`,
		[]string{"[inhibitions] refers to labels no alert carries: equal label cluster"}},
	{"inhibition that can never match", "derive/alertmanager.cue", `target_matchers: ["severity=\"warning\""]`, `target_matchers: ["severity=\"info\""]`,
		[]string{"[inhibitions] can never mute anything"}},
	{"job matcher matching no job", "derive/alerts.cue", `expr:  "up{\(sel)} == 0"`, `expr:  "up{job=\"lms-\(env.job)\"} == 0"`,
		[]string{`[job-coverage] job matcher job="lms-lms_api_prod" matches no scrape job`, `no alert watches up{job="lms_api_staging"}`}},
	{"scrape job without an up alert", "derive/monitoring.cue", `[for j, _ in m.jobs {j}]`, `[for j, _ in m.jobs if j != "caddy" {j}]`,
		[]string{`job caddy: [job-coverage] no alert watches up{job="caddy"}`}},
	{"metric missing from the catalog", "envs/metrics.cue", `http_requests_total: {`, `http_requests_count: {`,
		[]string{"[metric-catalog] metric http_requests_total is not in the metric catalog"}},
	{"label missing from the catalog", "envs/metrics.cue", `labels: ["method", "route", "status"]`, `labels: ["method", "route"]`,
		[]string{`[metric-catalog] metric http_requests_total has no label "status"`}},
	{"rule file not mounted", "derive/compose.cue", `(#mount & {#from: slashpath.Dir(outputs.prometheus.path), #to: p.config_dir}).out`, `(#mount & {#from: outputs.prometheus.path, #to: p.config_path}).out`,
		[]string{"[compose-mounts] service prometheus reads it at /etc/prometheus/alerts.yml", "[prometheus-config] rule file /etc/prometheus/alerts.yml is not mounted"}},
	{"mount of a file gen does not produce", "derive/compose.cue", `(#volume & {#name: named.caddy_config, #to: c.state_dir}).out,`, `(#volume & {#name: named.caddy_config, #to: c.state_dir}).out, "./ops/extra.yml:/etc/extra.yml:ro",`,
		[]string{"[compose-mounts] mounts ./ops/extra.yml, which gen does not produce"}},
	{"secret not mounted", "derive/compose.cue", `secrets: list.SortStrings([for name, _ in a.secrets {name}])`, `secrets: list.SortStrings([for name, _ in a.secrets if name != "pagerduty_routing_key" {name}])`,
		[]string{"[compose-mounts] reads secret /run/secrets/pagerduty_routing_key, which is not a compose secret of service alertmanager"}},
	{"service address with no service", "derive/prometheus.cue", `{"\(am):\(settings.services.alertmanager.port)"}`, `{"alertmanagr:\(settings.services.alertmanager.port)"}`,
		[]string{`derive/prometheus.cue:`, `[service-addresses] alertmanagr:9093: no compose service "alertmanagr"`}},
	{"service address on the wrong port", "derive/grafana.cue", `url:       "http://\(_replicas.prometheus[0]):\(settings.services.prometheus.port)"`, `url:       "http://\(_replicas.prometheus[0]):9091"`,
		[]string{"derive/grafana.cue:13:15: stack: datasource Prometheus: [service-addresses] prometheus:9091: service prometheus listens on 9090 (settings.services.prometheus.port)"}},
	{"staging pages", "envs/staging/env.cue", `page_severities: []`, `page_severities: ["critical"]`,
		[]string{`envs/staging/env.cue:18:2: env staging: notify.page_severities: environment staging may not page (settings.alertmanager.paging.environments: ["production"])`}},
	{"production critical does not page", "envs/prod/env.cue", `page_severities: ["critical"]`, `page_severities: ["warning"]`,
		[]string{`envs/prod/env.cue:17:2: env prod: notify.page_severities: environment production must page on critical alerts (settings.alertmanager.paging.must_page: ["critical"]); add "critical"`}},
	{"route tree pages staging", "derive/alertmanager.cue", `matchers: ["environment=\"\(env)\"", "severity=~`, `matchers: ["environment=~\"\(env)|staging\"", "severity=~`,
		[]string{`env staging: alertmanager.yml: alert LMSApiDown: [paging] environment "staging" pages (receivers [production-pagerduty staging-slack]); only [production] may page`}},
	{"route tree does not page a severity that must page", "derive/alertmanager.cue", `matchers: ["environment=\"\(env)\"", "severity=~\"\(strings.Join(envs[n].notify.page_severities, "|"))\""]`, `matchers: ["environment=\"\(env)\"", "severity=\"page\""]`,
		[]string{"env prod: alertmanager.yml: alert LMSApiDown: [paging] is a production critical alert but pages nobody (receivers [production-slack]); [critical] alerts must page there"}},
	{"secret-shaped value in output", "envs/alertmanager.cue", `username:    "alertmanager@lms.example.com"`, `username:    "0123456789abcdef0123456789abcdef"`,
		[]string{"ops/observability/alertmanager/alertmanager.yml:6:", "[no-secrets] looks like a 32-hex-digit key"}},

	// Rule tests derived from the thresholds.
	{"threshold direction flipped", "derive/alerts.cue", "\t\t\t> \\(a.threshold)\n\t\t\t\"\"\"\n\t\tfor:   a.for", "\t\t\t< \\(a.threshold)\n\t\t\t\"\"\"\n\t\tfor:   a.for",
		[]string{"envs/prod/alerts.cue:10:2: env prod: alerts.yml: case prod/LMSHighErrorRate/below: [rule-tests] at ", ": want firing nothing, got {alertname=\"LMSHighErrorRate\""}},
	{"for not taken from the environment", "derive/alerts.cue", `for:   t.LMSApiDown.for`, `for:   "1m"`,
		[]string{"case prod/LMSApiDown/above: [rule-tests] at 1m30s: want firing nothing, got {alertname=\"LMSApiDown\""}},
	{"annotation using a label the alert lacks", "derive/alerts.cue", `{{ $labels.job }} answers`, `{{ $labels.route }} answers`,
		[]string{"case prod/LMSRateLimitSpike/above: [rule-tests]", `annotation description reads label "route", which the firing alert does not carry (it renders " answers`}},

	// Dashboards.
	{"dashboard query on a metric missing from the catalog", "derive/dashboards.cue", `expr: "sum by (result) (rate(lms_login_attempts_total{`, `expr: "sum by (result) (rate(lms_login_attempt_total{`,
		[]string{`derive/dashboards.cue:`, `stack: dashboard lms-security-events: [metric-catalog] panel "Login attempts by result", query A: metric lms_login_attempt_total is not in the metric catalog`}},
	{"dashboard query on a label the metric lacks", "derive/dashboards.cue", `expr: "max by (instance) (process_open_fds{\(sel)})`, `expr: "max by (instance) (process_open_fds{\(sel),route=\"/\"})`,
		[]string{`[metric-catalog] panel "File descriptors used", query A: metric process_open_fds has no label "route"`}},
	{"dashboard query that does not parse", "derive/dashboards.cue", `expr: "sum by (result) (rate(lms_login_attempts_total{\(sel)}[$__rate_interval]))"`, `expr: "sum by (result) (rate(lms_login_attempts_total{\(sel)}[$__rate_interval])"`,
		[]string{`panel "Login attempts by result", query A: does not parse as PromQL`}},
	{"duplicate dashboard uid", "derive/dashboards.cue", `uid:         "lms-student-progress"`, `uid:         "lms-course-performance"`,
		[]string{`[dashboards] dashboard "lms-student-progress": uid "lms-course-performance" is also the uid of dashboard "lms-course-performance"`}},
	{"Grafana raised without its dashboard schema version", "envs/stack.cue", `grafana:      "11.2.2"`, `grafana:      "12.1.0"`,
		[]string{"derive/dashboards.cue:", `undefined field: "12.1"`}},

	// Routing and inhibition tests (derived from the policy, and hand-written).
	{"pager route without continue", "derive/alertmanager.cue", `continue: true
			}, for n in envNames {`, `continue: false
			}, for n in envNames {`,
		[]string{`derive/alertmanager.cue:`, `env prod: alertmanager.yml: route case "prod/LMSApiDown": [route-tests] labels`, "reach [production-pagerduty], want [production-pagerduty production-slack]; routes taken: {}/{environment=\"production\",severity=~\"critical\"}"}},
	{"hand rule test declares no annotations", "derive/alerts_tests.cue", `severity: "warning"}, value: over}]},`, `severity: "warning"}}]},`,
		[]string{"derive/alerts_tests.cue:", "[rule-tests] at ", "alert LMSHighErrorRate declares neither its annotations nor the value of its expression"}},
	{"declared value is not what the expression gives", "derive/rules_tests.cue", `errors: 10 * over, ok: 10 - errors}).series
				value: over`, `errors: 10 * over, ok: 10 - errors}).series
				value: over * 2`,
		[]string{"case prod/LMSHighErrorRate/above: [rule-tests] at ", "annotations differ"}},
	{"caddy image is not the validated release", "envs/stack.cue", `caddy:        "2.11.9-alpine"`, `caddy:        "2.10.0-alpine"`,
		[]string{"envs/stack.cue:", `[versions] caddy is "2.10.0-alpine", but tools/caddycheck validates the Caddyfile with Caddy v2.11.9`}},
	{"Grafana's original layout: dashboards inside the read-only provisioning mount", "envs/grafana.cue", `dashboards_path:   "/etc/grafana/dashboards"`, `dashboards_path:   "\(provisioning_path)/dashboards/lms"`,
		[]string{"derive/compose.cue:", "service grafana: [compose-runtime] mount ./ops/observability/grafana/dashboards at /etc/grafana/provisioning/dashboards/lms lies inside the read-only bind of ./ops/observability/grafana/provisioning at /etc/grafana/provisioning, whose source has no dashboards/lms"}},
	{"single-file mount of a generated file", "derive/compose.cue", `(#mount & {#from: slashpath.Dir(outputs.alertmanager.path), #to: a.config_dir}).out`, `(#mount & {#from: outputs.alertmanager.path, #to: a.config_path}).out`,
		[]string{"service alertmanager: [compose-runtime] mounts the generated file ./ops/observability/alertmanager/alertmanager.yml alone at /etc/alertmanager/alertmanager.yml"}},
	{"a UI published on every interface", "derive/compose.cue", `ports: [(#publish & {#service: "prometheus", #host: svc.prometheus.host_port + idx, #port: svc.prometheus.port}).out]`, `ports: ["9090:9090"]`,
		[]string{"derive/compose.cue:", "service prometheus: [exposure] publishes port 9090 on every interface; only [caddy] may (settings.exposure.public), publish it on 127.0.0.1"}},
	{"literal Grafana password", "derive/compose.cue", `GF_USERS_ALLOW_SIGN_UP:           "false"`, `GF_USERS_ALLOW_SIGN_UP:           "false"
					GF_SECURITY_ADMIN_PASSWORD:       "admin"`,
		[]string{"derive/compose.cue:", "GF_SECURITY_ADMIN_PASSWORD: field not allowed"}},
	{"Grafana without its admin password file", "derive/compose.cue", `GF_SECURITY_ADMIN_PASSWORD__FILE: "\(settings.secrets.mount_dir)/\(g.admin_password_secret)"`, `GF_SECURITY_ADMIN_PASSWORD_HINT: "see the wiki"`,
		[]string{"service grafana: [exposure] Grafana's admin password is not read from a compose secret"}},
	{"the public site proxies to Alertmanager", "envs/caddy.cue", `upstream: "api:\(settings.services.api.port)"`, `upstream: "alertmanager:\(settings.services.alertmanager.port)"`,
		[]string{"envs/caddy.cue:13:12: stack: settings.caddy.upstream: the public site would proxy to alertmanager, a service of the stack that does not authenticate its users"}},
	{"retention shorter than an alert window", "envs/prod/alerts.cue", `LMSHighErrorRate: {threshold: 0.05, window: "5m"`, `LMSHighErrorRate: {threshold: 0.05, window: "40d"`,
		[]string{"envs/prod/alerts.cue:", "window 40d is longer than Prometheus keeps samples (settings.prometheus.retention.time 30d)"}},
	{"retention shorter than the dashboards' range", "envs/prometheus.cue", `retention: {time: "30d"`, `retention: {time: "2h"`,
		[]string{"envs/prometheus.cue:", "retention 2h is shorter than the range the dashboards show (now-6h)"}},
	{"Alertmanager forgets before it repeats", "envs/alertmanager.cue", `data_retention: "120h"`, `data_retention: "1h"`,
		[]string{"envs/alertmanager.cue:", "data_retention 1h is shorter than repeat_interval 4h"}},
	{"two services on one host port", "envs/stack.cue", `grafana: {port: 3000, host_port: 3001,`, `grafana: {port: 3000, host_port: 9090,`,
		[]string{"envs/stack.cue:30:35: stack: settings.services.grafana.host_port: host port 9090/tcp of Grafana (settings.services.grafana.host_port) is also published by prometheus (settings.services.prometheus.host_port)"}},
	{"a named volume not declared", "derive/compose.cue", "(named.grafana): {}\n", "",
		[]string{"derive/compose.cue:", "[compose-spec] Compose (github.com/compose-spec/compose-go/v2 v2.16.2) rejects it", "grafana_data"}},
	{"a required variable escaped, so never required", "derive/compose.cue", `(c.env.domain):  "${\(c.env.domain):?`, `(c.env.domain):  "$${\(c.env.domain):?`,
		[]string{"[compose-spec] Compose (github.com/compose-spec/compose-go/v2 v2.16.2) loads it with APP_DOMAIN unset"}},
	{"a port beyond 65535 published", "envs/stack.cue", `caddy: {ports: [80, 443]`, `caddy: {ports: [80, 443, 70000]`,
		[]string{"envs/stack.cue:", "invalid value 70000"}},
	{"a heartbeat too rare for the dead man's switch", "envs/monitoring.cue", `repeat_interval: "5m"`, `repeat_interval: "10m"`,
		[]string{"envs/monitoring.cue:", "the heartbeat repeats every 10m; the dead man's switch must hear it at least every 5m"}},
	{"Watchdog routed to the ops channel", "derive/alertmanager.cue", `matchers: ["alertname=\"Watchdog\""]`, `matchers: ["alertname=\"Watchdogg\""]`,
		[]string{`route case "stack/Watchdog": [route-tests] labels`, "reach [ops-slack], want [heartbeat]"}},
	{"the monitoring network created by nobody", "derive/compose.cue", `networks: default: name: settings.monitoring.network`, `networks: default: name: "observability"`,
		[]string{"[compose-runtime] network monitoring is external (named lms-ops), but no compose file of the stack creates it"}},
	{"a stack alert threshold of zero", "envs/monitoring.cue", `AlertmanagerFailedToSendAlerts: {severity: "warning", window: "5m", for: "5m", threshold: 0.01}`, `AlertmanagerFailedToSendAlerts: {severity: "warning", window: "5m", for: "5m", threshold: 0}`,
		[]string{"envs/monitoring.cue:", "invalid value 0 (out of bound >0)"}},
	{"a stack rule test that expects the wrong value", "derive/monitoring_tests.cue", `value: (1 + t) / 2`, `value: t / 2`,
		[]string{"case stack: PrometheusTSDBNearRetentionSize fires when", "annotations differ"}},
	{"alert without a runbook section", "docs/runbooks.md", "## LMSRateLimitSpike", "## Rate limiting",
		[]string{"derive/alerts.cue:", "env prod: alerts.yml: alert LMSRateLimitSpike: [runbooks] has no runbook: docs/runbooks.md has no section \"## LMSRateLimitSpike\""}},
	{"workflow key misspelt", "derive/ci.cue", `"timeout-minutes": 90`, `"timeout-minute": 90`,
		[]string{`derive/ci.cue:20:4: stack: outputs.workflow.workflow.jobs.check."timeout-minute": field not allowed`}},
	{"workflow on a runner GitHub's schema does not know", "derive/ci.cue", `"runs-on":         "ubuntu-latest"`, `"runs-on":         "ubuntu-99.04"`,
		[]string{".github/workflows/check.yml: stack: check.yml: [workflow] GitHub's workflow schema (SchemaStore) rejects it", "at '/jobs/check'"}},
	{"an even Alertmanager cluster", "envs/stack.cue", `alertmanager_replicas: 3`, `alertmanager_replicas: 4`,
		[]string{"envs/stack.cue:", "alertmanager_replicas 4 is even; use an odd number so that a split cluster keeps a majority"}},
	{"HA with one Prometheus", "envs/stack.cue", `prometheus_replicas:   2`, `prometheus_replicas:   1`,
		[]string{"envs/stack.cue:", "settings.ha.prometheus_replicas: invalid value 1 (out of bound >=2)"}},
	{"inhibition source misspelt", "derive/alertmanager.cue", `source_matchers: ["alertname=\"LMSApiDown\""]`, `source_matchers: ["alertname=\"LMSApiDow\""]`,
		[]string{`derive/alerts_tests.cue:`, `inhibit case "prod: LMSApiDown mutes the other alerts of its job, whatever their severity": [route-tests] source`, "muted = false, want true"}},
	// Kubernetes (ops/k8s/): each object is unified with the CUE definition
	// generated from the operator's CRD, so a mistake fails at its line.
	{"k8s: misspelt field of a Prometheus object", "derive/k8s.cue", `retentionSize:      settings`, `retentionSiz:       settings`,
		[]string{"derive/k8s.cue:61:5: stack: outputs.kubernetes.prometheus.object.spec.retentionSiz: field not allowed"}},
	{"k8s: invalid retention", "derive/k8s.cue", `retention:          settings.prometheus.retention.time`, `retention:          "30days"`,
		[]string{`derive/k8s.cue:60:25: stack: outputs.kubernetes.prometheus.object.spec.retention: invalid value "30days"`, "schema/k8s/monitoring/v1/prometheus.cue:"}},
	{"k8s: replicas as a string", "derive/k8s.cue", `replicas:           k.prometheus.replicas`, `replicas:           "2"`,
		[]string{`derive/k8s.cue:58:25: stack: outputs.kubernetes.prometheus.object.spec.replicas: conflicting values "2" and int32`}},
	{"k8s: ScrapeConfig with another job label", "derive/k8s.cue", `jobName: j.job_name`, `jobName: "api"`,
		[]string{`[k8s-scrape-jobs] ScrapeConfig lms-api-prod gives job="api", which is no job`, `[k8s-scrape-jobs] alert LMSApiDown selects job "lms_api_prod", which no ScrapeConfig gives`,
			`derive/k8s.cue:176:4: stack: ops/k8s: prometheus-operator v0.85.0: [k8s-operator] no scrape job gives job="lms_api_prod", a job of prometheus.yml (the operator's jobs: api)`}},
	{"k8s: ScrapeConfig without the job the alerts select", "derive/k8s.cue", "\t\t\t\tjobName: j.job_name\n", "",
		[]string{`derive/k8s.cue:176:4: stack: ops/k8s: prometheus-operator v0.85.0: [k8s-operator] no scrape job gives job="lms_api_prod", a job of prometheus.yml`,
			`[k8s-operator] scrape job scrapeConfig/monitoring/lms-api-prod gives job="scrapeConfig/monitoring/lms-api-prod", which is no job of prometheus.yml`}},
	{"k8s: service account removed", "derive/k8s.cue", "\t\t\t\tserviceAccountName: k.prometheus.service_account\n", "",
		[]string{"derive/k8s.cue:57:4: stack: rbac.yaml: service account monitoring/default: [k8s-rbac] the Prometheus's alerting.alertmanagers[0] (kubernetes_sd_configs role endpoints) needs list, watch on endpoints in namespace monitoring; no rule bound to its service account grants list, watch (bindings: none)"}},
	{"k8s: Role without list on endpoints", "envs/k8s.cue", `{apiGroups: [""], resources: ["endpoints"], verbs: read},`, `{apiGroups: [""], resources: ["endpoints"], verbs: ["get", "watch"]},`,
		[]string{"envs/k8s.cue:41:47: stack: rbac.yaml: service account monitoring/prometheus-lms: [k8s-rbac] the Prometheus's alerting.alertmanagers[0] (kubernetes_sd_configs role endpoints) needs list, watch on endpoints in namespace monitoring; no rule bound to its service account grants list (bindings: RoleBinding monitoring/lms-prometheus → Role monitoring/lms-prometheus)"}},
	{"k8s: RoleBinding to another account", "derive/k8s.cue", `subjects: [{kind: "ServiceAccount", name: serviceAccount.metadata.name,`, `subjects: [{kind: "ServiceAccount", name: "prometheus",`,
		[]string{"derive/k8s.cue:140:4: stack: rbac.yaml: service account monitoring/prometheus-lms: [k8s-rbac] the Prometheus's alerting.alertmanagers[0] (kubernetes_sd_configs role endpoints) needs list, watch on endpoints in namespace monitoring; no rule bound to its service account grants list, watch (bindings: none)"}},
	{"k8s: rules not selected", "derive/k8s.cue", `ruleSelector: matchLabels:           k.labels`, `ruleSelector: matchLabels: team:     "lms"`,
		[]string{"derive/k8s.cue:", "[k8s-selectors] PrometheusRule lms-prod (labels map[app.kubernetes.io/part-of:lms-ops]) is not selected by the Prometheus's ruleSelector"}},
	{"k8s: credential not in the Secret", "derive/k8s.cue", `credentials: "alertmanager-credentials": settings.alertmanager.secrets`, `credentials: "alertmanager-credentials": {smtp_password: "SMTP password"}`,
		[]string{"derive/alertmanager.cue:107:34: stack: outputs.kubernetes.alertmanager.config.receivers.0.slack_configs.0.api_url_file: undefined field: slack_webhook_ops"}},
	{"k8s: route that ignores the operator's label", "derive/alertmanager.cue", `matchers: ["alertname=\"Watchdog\""]`, `matchers: ["alertname=\"Watchdog\"", "prometheus=\"\""]`,
		[]string{`[k8s-routes] labels {alertname="Watchdog", prometheus="monitoring/lms", service="lms-ops", severity="none"} reach [ops-slack], want [heartbeat]`}},
}

// settingHole is a value of a setting that defeated the guarantee the
// setting serves while gen accepted it (issue 20): the bad edit, now
// refused at the operator's line with the reason, and next to it a close
// edit of the same line that is valid and must be accepted. first, when
// set, is an edit made before both: haFirst turns the high-availability
// topology on (settings.ha.enabled).
type settingHole struct {
	badEdit
	first *fixEdit
	good  string
}

// fixEdit replaces old with new in one file of the fixture.
type fixEdit struct{ file, old, new string }

var haFirst = &fixEdit{"envs/stack.cue", haOff, haOn}

// settingHoles are the holes found by setting every operator field as an
// operator would (README, "What each setting guarantees").
var settingHoles = []settingHole{
	// Nothing without its own authentication is reachable beyond the loopback.
	{badEdit{"a UI without a login made public", "envs/stack.cue", `public: ["caddy"]`, `public: ["caddy", "prometheus"]`,
		[]string{"envs/stack.cue:47:2: stack: settings.exposure.public: prometheus would publish its UI on every interface of the host, but it does not authenticate its users (settings.exposure.authenticated: grafana)"}},
		nil, `public: ["caddy", "grafana"]`},
	{badEdit{"a UI said to authenticate that has no login", "envs/stack.cue", `authenticated: grafana: "Grafana login:`, `authenticated: prometheus: "behind the SSH tunnel", authenticated: grafana: "Grafana login:`,
		[]string{`envs/stack.cue:49:29: stack: settings.exposure.authenticated.prometheus: prometheus has no login of its own in this stack (only ["grafana"] do`}},
		nil, `authenticated: grafana: "Grafana's own login:`},
	{badEdit{"HA: the public site proxies to a Prometheus replica", "envs/caddy.cue", `upstream: "api:\(settings.services.api.port)"`, `upstream: "prometheus-0:\(settings.services.prometheus.port)"`,
		[]string{"envs/caddy.cue:13:12: stack: settings.caddy.upstream: the public site would proxy to prometheus-0, a service of the stack that does not authenticate its users"}},
		haFirst, `upstream: "grafana:\(settings.services.grafana.port)"`},
	{badEdit{"Caddy's metrics on a published port", "envs/stack.cue", `metrics_port: 2020`, `metrics_port: 80`,
		[]string{"envs/stack.cue:33:60: stack: settings.services.caddy.metrics_port: metrics_port 80 is a port Caddy publishes on every interface"}},
		nil, `metrics_port: 2021`},
	// Production pages for what the paging policy says; every alert
	// reaches the receivers the policy names.
	{badEdit{"HA: the replica label is the environment, so production stops paging", "envs/stack.cue", `replica_label:         "replica"`, `replica_label:         "environment"`,
		[]string{"envs/stack.cue:63:25: stack: settings.ha.replica_label: replica_label environment is a label the alerts carry"}},
		haFirst, `replica_label:         "prometheus_replica"`},
	// tier is carried by the SLOs' page and ticket alerts alone: no
	// environment, stack or security label, nor group_by, names it.
	{badEdit{"HA: the replica label is the SLO alerts' tier, so their pages and tickets merge", "envs/stack.cue", `replica_label:         "replica"`, `replica_label:         "tier"`,
		[]string{"envs/stack.cue:63:25: stack: settings.ha.replica_label: replica_label tier is a label the alerts carry"}},
		haFirst, `replica_label:         "replica_name"`},
	{badEdit{"one environment label for two environments", "envs/staging/env.cue", `environment: "staging"`, `environment: "production"`,
		[]string{"envs/staging/env.cue:13:15: env staging: labels.environment: environment production is already the environment label of env prod"}},
		nil, `environment: "staging-eu"`},
	{badEdit{"a static label that replaces the job the alerts select", "envs/staging/env.cue", `service:     "lms-backend"`, `service:     "lms-backend"
	job:         "lms"`,
		[]string{"envs/staging/env.cue:13:15: env staging: labels.job: job is a label Prometheus sets itself"}},
		nil, `service:     "lms-backend"
	team:        "lms"`},
	// With HA on, values the schema accepted were refused by gen at a
	// generated compose file (one message contradicting itself); each is
	// now refused at the operator's line.
	{badEdit{"HA: a Prometheus replica on the Alertmanager's host port", "envs/stack.cue", `prometheus_replicas:   2`, `prometheus_replicas:   4`,
		[]string{"envs/stack.cue:61:25: stack: settings.ha.prometheus_replicas: host port 9093/tcp of prometheus replica 3 (settings.services.prometheus.host_port 9090 + 3, settings.ha.prometheus_replicas 4) is also published by alertmanager"}},
		haFirst, `prometheus_replicas:   3`},
	{badEdit{"HA: a replica beyond port 65535", "envs/stack.cue", `prometheus: {port: 9090, host_port: 9090,`, `prometheus: {port: 9090, host_port: 65535,`,
		[]string{"envs/stack.cue:61:25: stack: settings.ha.prometheus_replicas: prometheus replica 1 would publish on host port 65536", "and 2 more errors that follow from the ones above"}},
		haFirst, `prometheus: {port: 9090, host_port: 65534,`},
	{badEdit{"HA: the cluster port is the API port", "envs/stack.cue", `cluster: {port: 9094`, `cluster: {port: 9093`,
		[]string{"envs/stack.cue:65:18: stack: settings.ha.cluster.port: cluster port 9093 is the port Alertmanager serves its API on"}},
		haFirst, `cluster: {port: 9095`},
	{badEdit{"HA: a replica variable named like a credential", "envs/stack.cue", `replica_env:           "PROMETHEUS_REPLICA"`, `replica_env:           "PROMETHEUS_REPLICA_KEY"`,
		[]string{"envs/stack.cue:64:25: stack: settings.ha.replica_env: replica_env PROMETHEUS_REPLICA_KEY is named like a credential"}},
		haFirst, `replica_env:           "PROMETHEUS_REPLICA_NAME"`},
	// Found by TestSettingsFuzz.
	{badEdit{"a receiver name another receiver has", "envs/monitoring.cue", "\t\treceiver: \"heartbeat\"", "\t\treceiver: \"production-slack\"",
		[]string{"envs/monitoring.cue:26:13: stack: settings.monitoring.heartbeat.receiver: receiver name production-slack is also the Slack receiver of env prod"}},
		nil, "\t\treceiver: \"dead-mans-switch\""},
	{badEdit{"an environment's job named like a stack job", "envs/staging/env.cue", `job:          "lms_api_staging"`, `job:          "prometheus"`,
		[]string{"envs/staging/env.cue:8:15: env staging: job: job prometheus is a scrape job of the stack itself"}},
		nil, `job:          "lms_api_staging_eu"`},
	{badEdit{"Watchdog routed beyond the heartbeat", "envs/monitoring.cue", `Watchdog: [heartbeat.receiver]`, `Watchdog: [heartbeat.receiver, settings.alertmanager.fallback.receiver]`,
		[]string{"envs/monitoring.cue:61:4: stack: settings.monitoring.receivers.alerts.Watchdog: Watchdog always fires"}},
		nil, `Watchdog: [settings.monitoring.heartbeat.receiver]`},
	// No data is lost on re-create.
	{badEdit{"a data folder inside the read-only configuration", "envs/prometheus.cue", `data_dir: "/prometheus"`, `data_dir: "/etc/prometheus/data"`,
		[]string{"envs/prometheus.cue:17:12: stack: settings.prometheus.data_dir: /etc/prometheus/data overlaps the read-only configuration folder /etc/prometheus"}},
		nil, `data_dir: "/var/lib/prometheus"`},
	{badEdit{"a Caddy port another service publishes", "envs/stack.cue", `caddy: {ports: [80, 443]`, `caddy: {ports: [80, 443, 3001]`,
		[]string{"envs/stack.cue:33:10: stack: settings.services.caddy.ports: host port 3001/tcp of Caddy (settings.services.caddy.ports) is also published by Grafana (settings.services.grafana.host_port)", "envs/stack.cue:30:35: stack: settings.services.grafana.host_port: host port 3001/tcp of Grafana (settings.services.grafana.host_port) is also published by Caddy (settings.services.caddy.ports)"}},
		nil, `caddy: {ports: [80, 443, 8443]`},
	// HA notifies each alert once, also while one Alertmanager is cut off.
	{badEdit{"a resend delay that a hung Alertmanager outlasts", "envs/prometheus.cue", `alert_resend_delay: "1m"`, `alert_resend_delay: "3s"`,
		[]string{"envs/prometheus.cue:21:22: stack: settings.prometheus.alert_resend_delay: alert_resend_delay 3s with evaluation_interval 2s", "it would expire there, be notified resolved, then firing again"}},
		&fixEdit{"envs/prometheus.cue", `evaluation_interval: "30s"`, `evaluation_interval: "2s"`}, `alert_resend_delay: "5s"`},
}

// TestBadEdits: every mistake fails gen with its message and position, and
// leaves every output byte as it was; the close but valid edit next to a
// setting hole is accepted.
func TestBadEdits(t *testing.T) {
	cases := slices.Clone(badEdits)
	first := map[string]*fixEdit{}
	for _, h := range settingHoles {
		cases = append(cases, h.badEdit)
		first[h.name] = h.first
		t.Run(h.name+"/close but valid", func(t *testing.T) {
			t.Parallel()
			root := copyRepo(t)
			if f := h.first; f != nil {
				edit(t, root, f.file, f.old, f.new)
			}
			edit(t, root, h.file, h.old, h.good)
			if _, err := Generate(root); err != nil {
				t.Errorf("gen refuses the valid edit %q:\n%v", h.good, err)
			}
		})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := copyRepo(t)
			before := outputHashes(t, root)
			if f := first[tc.name]; f != nil {
				edit(t, root, f.file, f.old, f.new)
			}
			edit(t, root, tc.file, tc.old, tc.new)
			err := genInto(root)
			if err == nil {
				t.Fatal("gen succeeded, want an error")
			}
			for _, want := range tc.wantInErr {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error does not contain %q:\n%v", want, err)
				}
			}
			for _, unwanted := range notInErr[tc.name] {
				if strings.Contains(err.Error(), unwanted) {
					t.Errorf("error contains %q, a consequence of the mistake:\n%v", unwanted, err)
				}
			}
			if diff := cmp.Diff(before, outputHashes(t, root)); diff != "" {
				t.Errorf("a failing gen changed outputs (-before +after):\n%s", diff)
			}
		})
	}
}
