package model

import (
	"fmt"
	"strconv"
	"strings"
)

// Path is a CUE path into the evaluated stack ("outputs.prometheus.config"),
// or, for the PathInEnv… ones, into one environment's value. Every path the Go
// code looks up is a constant below, written once: TestPathsResolve
// resolves each on the fixture, so a renamed CUE field fails a test instead
// of making PosOf return "" quietly. A "*" is a part the caller fills in
// (At): "[*]" an index, ".*" a field name.
type Path string

// The stack's paths that problems point at.
const (
	PathDashboards  Path = "dashboards"
	PathDashboard   Path = "dashboards.*"
	PathInhibitTest Path = "inhibitTests[*]"
	PathRouteTest   Path = "routeTests[*]"
	PathRuleTest    Path = "ruleTests[*]"
	PathEnvAlert    Path = "envs.*.alerts.*"

	PathVersion        Path = "versions.*"
	PathVersionGrafana Path = "versions.grafana"

	PathSettingsRunbookDoc           Path = "settings.runbook_doc"
	PathSettingsAlertmanagerSecrets  Path = "settings.alertmanager.secrets"
	PathSettingsAlertmanagerPolicy   Path = "settings.alertmanager.policy.*"
	PathSettingsCaddyExamples        Path = "settings.caddy.examples"
	PathSettingsMonitoringReceivers  Path = "settings.monitoring.receivers"
	PathSettingsK8sCredentials       Path = "settings.kubernetes.credentials"
	PathSettingsK8sDiscoveryRoles    Path = "settings.kubernetes.discovery.roles"
	PathOutputMountedAt              Path = "outputs.*.mounted_at"
	PathGrafanaDashboardProviderPath Path = "outputs.grafanaDashboardProviders.config.providers[*].options.path"
	PathGrafanaDatasourceURL         Path = "outputs.grafanaDatasources.config.datasources[*].url"
	PathCaddySiteUpstream            Path = "outputs.caddyfile.caddy.sites[*].upstream"

	PathPrometheusConfig      Path = "outputs.prometheus.config"
	PathPrometheusRuleFile    Path = "outputs.prometheus.config.rule_files[*]"
	PathPrometheusJobName     Path = "outputs.prometheus.config.scrape_configs[*].job_name"
	PathPrometheusJobTarget   Path = "outputs.prometheus.config.scrape_configs[*].static_configs[*].targets[*]"
	PathPrometheusAMTarget    Path = "outputs.prometheus.config.alerting.alertmanagers[*].static_configs[*].targets[*]"
	PathAlertRules            Path = "outputs.alerts.rules"
	PathAlertRuleExpr         Path = "outputs.alerts.rules.groups[*].rules[*].expr"
	PathAlertRuleRunbook      Path = "outputs.alerts.rules.groups[*].rules[*].annotations.runbook_url"
	PathAlertmanagerConfig    Path = "outputs.alertmanager.config"
	PathAlertmanagerRoute     Path = "outputs.alertmanager.config.route"
	PathAlertmanagerReceiver  Path = "outputs.alertmanager.config.receivers[*]"
	PathAlertmanagerInhibitRl Path = "outputs.alertmanager.config.inhibit_rules[*]"

	// A compose file's value; its "*" is the output (composeProd).
	PathCompose               Path = "outputs.*.compose"
	PathComposeNetwork        Path = "outputs.*.compose.networks.*"
	PathComposeServicePorts   Path = "outputs.*.compose.services.*.ports"
	PathComposeServiceEnv     Path = "outputs.*.compose.services.*.environment"
	PathComposeServiceVolumes Path = "outputs.*.compose.services.*.volumes"
	PathComposeServiceSecrets Path = "outputs.*.compose.services.*.secrets"
)

// The Kubernetes output's paths.
const (
	PathK8s                      Path = "outputs.kubernetes"
	PathK8sDatasource            Path = "outputs.kubernetes.datasource"
	PathK8sPrometheus            Path = "outputs.kubernetes.prometheus"
	PathK8sPrometheusObject      Path = "outputs.kubernetes.prometheus.object"
	PathK8sPrometheusSpec        Path = "outputs.kubernetes.prometheus.object.spec"
	PathK8sPrometheusVersion     Path = "outputs.kubernetes.prometheus.object.spec.version"
	PathK8sPrometheusAccount     Path = "outputs.kubernetes.prometheus.object.spec.serviceAccountName"
	PathK8sPrometheusAM          Path = "outputs.kubernetes.prometheus.object.spec.alerting.alertmanagers[*]"
	PathK8sAlertmanager          Path = "outputs.kubernetes.alertmanager"
	PathK8sAlertmanagerConfig    Path = "outputs.kubernetes.alertmanager.config"
	PathK8sAlertmanagerSecret    Path = "outputs.kubernetes.alertmanager.configSecret"
	PathK8sAlertmanagerObject    Path = "outputs.kubernetes.alertmanager.object"
	PathK8sAlertmanagerSpec      Path = "outputs.kubernetes.alertmanager.object.spec"
	PathK8sAlertmanagerVersion   Path = "outputs.kubernetes.alertmanager.object.spec.version"
	PathK8sAlertmanagerCfgSecret Path = "outputs.kubernetes.alertmanager.object.spec.configSecret"
	PathK8sAlertmanagerSecrets   Path = "outputs.kubernetes.alertmanager.object.spec.secrets"
	PathK8sAlertmanagerSecretAt  Path = "outputs.kubernetes.alertmanager.object.spec.secrets[*]"
	PathK8sRules                 Path = "outputs.kubernetes.rules"
	PathK8sRuleObjects           Path = "outputs.kubernetes.rules.objects"
	PathK8sRuleSpec              Path = "outputs.kubernetes.rules.objects[*].object.spec"
	PathK8sRuleMetadata          Path = "outputs.kubernetes.rules.objects[*].object.metadata"
	PathK8sScrape                Path = "outputs.kubernetes.scrape"
	PathK8sScrapeSpec            Path = "outputs.kubernetes.scrape.objects[*].spec"
	PathK8sScrapeMetadata        Path = "outputs.kubernetes.scrape.objects[*].metadata"
	PathK8sDashboards            Path = "outputs.kubernetes.dashboards"
	PathK8sDashboard             Path = "outputs.kubernetes.dashboards.objects.*"
	PathK8sRBAC                  Path = "outputs.kubernetes.rbac"
	PathK8sRoleBindingSubjects   Path = "outputs.kubernetes.rbac.roleBinding.subjects"
	PathK8sRole                  Path = "outputs.kubernetes.rbac.role"
	PathK8sRoleRules             Path = "outputs.kubernetes.rbac.role.rules"
	PathK8sRoleRuleVerbs         Path = "outputs.kubernetes.rbac.role.rules[*].verbs"
)

// Paths in one environment's value (PosOf with an environment).
const (
	PathInEnvJob         Path = "job"
	PathInEnvTarget      Path = "target"
	PathInEnvEnvironment Path = "labels.environment"
)

// At fills the path's "*" parts in order: an int for "[*]", a string (a
// field name, quoted when it is no identifier) for ".*". A wrong argument
// is a programming error, and panics, rather than pointing nowhere.
func (p Path) At(parts ...any) Path {
	s := string(p)
	for _, a := range parts {
		i := strings.Index(s, "*")
		if i < 0 {
			panic(fmt.Sprintf("model.Path %q: more parts than *: %v", p, parts))
		}
		var fill string
		switch v := a.(type) {
		case int:
			if !strings.HasSuffix(s[:i], "[") {
				panic(fmt.Sprintf("model.Path %q: index %d for a field name", p, v))
			}
			fill = strconv.Itoa(v)
		case string:
			if strings.HasSuffix(s[:i], "[") {
				panic(fmt.Sprintf("model.Path %q: field name %q for an index", p, v))
			}
			fill = label(v)
		default:
			panic(fmt.Sprintf("model.Path %q: part %v is neither int nor string", p, a))
		}
		s = s[:i] + fill + s[i+1:]
	}
	if strings.Contains(s, "*") {
		panic(fmt.Sprintf("model.Path %q: fewer parts than *: %v", p, parts))
	}
	return Path(s)
}

// label quotes a field name for a CUE path: quoted, a name with dashes
// (dashboards, prod-eu) or a leading underscore is still a regular field.
func label(name string) string {
	return strconv.Quote(name)
}
