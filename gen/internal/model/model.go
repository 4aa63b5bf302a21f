package model

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
)

// The Go model mirrors schema/*.cue. It is decoded strictly from the
// validated CUE value (an unknown field is an error), so a field added to the
// schema but not here fails loudly instead of vanishing from the output.
// Field order is output order; JSON tags read CUE, YAML tags write files.

// Stack is the whole evaluated model: the environments and every output.
type Stack struct {
	Envs        map[string]Env         `json:"envs"`
	Versions    Versions               `json:"versions"`
	Settings    Settings               `json:"settings"`
	Metrics     map[string]Metric      `json:"metrics"`
	RuleStimuli map[string]RuleStimuli `json:"ruleStimuli"`
	// SLOs are the environments' SLOs as derive/slo.cue derives them.
	SLOs         map[string]map[string]SLO `json:"slos"`
	RuleTests    []RuleTest                `json:"ruleTests"`
	RouteTests   []RouteTest               `json:"routeTests"`
	InhibitTests []InhibitTest             `json:"inhibitTests"`
	// Dashboards are decoded by gen/internal/render/dashboards.
	Dashboards      map[string]json.RawMessage `json:"dashboards"`
	GeneratedHeader string                     `json:"generatedHeader"`
	Outputs         Outputs                    `json:"outputs"`
}

// Env is one environment (envs/<name>/).
type Env struct {
	Job         string               `json:"job"`
	Target      string               `json:"target"`
	MetricsPath string               `json:"metrics_path"`
	Labels      map[string]string    `json:"labels"`
	Alerts      map[string]Threshold `json:"alerts"`
	Notify      Notify               `json:"notify"`
	// SLOs are its objectives, as the operator wrote them (see Stack.SLOs).
	SLOs map[string]SLOValues `json:"slos,omitempty"`
}

// Threshold tunes one alert of the shared alert set for one environment.
type Threshold struct {
	Threshold float64 `json:"threshold,omitempty"`
	Window    string  `json:"window,omitempty"`
	For       string  `json:"for"`
	Severity  string  `json:"severity"`
}

// Notify says who hears about an environment's alerts.
type Notify struct {
	SlackChannel   string   `json:"slack_channel"`
	PageSeverities []string `json:"page_severities"`
}

// Versions pins the deployed images.
type Versions struct {
	Prometheus   string `json:"prometheus"`
	Alertmanager string `json:"alertmanager"`
	Grafana      string `json:"grafana"`
	Caddy        string `json:"caddy"`
}

// Settings are the stack-wide values the outputs derive from.
type Settings struct {
	Services       map[string]Service   `json:"services"`
	Prometheus     PrometheusSettings   `json:"prometheus"`
	Alertmanager   AlertmanagerSettings `json:"alertmanager"`
	Grafana        GrafanaSettings      `json:"grafana"`
	Caddy          CaddySettings        `json:"caddy"`
	Secrets        Secrets              `json:"secrets"`
	Exposure       Exposure             `json:"exposure"`
	Monitoring     Monitoring           `json:"monitoring"`
	HA             HA                   `json:"ha"`
	Lifecycle      json.RawMessage      `json:"lifecycle"`
	RunbookDoc     string               `json:"runbook_doc"`
	RunbookBaseURL string               `json:"runbook_base_url"`
	Kubernetes     KubernetesSettings   `json:"kubernetes"`
	SLO            SLOPolicy            `json:"slo"`
}

// Service is a compose service and the ports other configs reach it on.
type Service struct {
	Port        int    `json:"port,omitempty"`
	HostPort    int    `json:"host_port,omitempty"`
	ExternalURL string `json:"external_url,omitempty"`
	Ports       []int  `json:"ports,omitempty"`
	UDPPorts    []int  `json:"udp_ports,omitempty"`
	MetricsPort int    `json:"metrics_port,omitempty"`
}

// Exposure is who can reach what (schema: settings.exposure).
type Exposure struct {
	// Public are the services that may publish on every interface.
	Public []string `json:"public"`
	// HostIP is where every other service publishes.
	HostIP string `json:"host_ip"`
	// Authenticated are the UIs that authenticate users themselves.
	Authenticated map[string]string `json:"authenticated"`
}

// PrometheusSettings are prometheus.yml's stack-wide values.
type PrometheusSettings struct {
	ScrapeInterval     string `json:"scrape_interval"`
	EvaluationInterval string `json:"evaluation_interval"`
	ConfigDir          string `json:"config_dir"`
	ConfigPath         string `json:"config_path"`
	RulesFile          string `json:"rules_file"`
	RulesPath          string `json:"rules_path"`
	DataDir            string `json:"data_dir"`
	AlertResendDelay   string `json:"alert_resend_delay"`
	Retention          struct {
		Time string `json:"time"`
		Size string `json:"size"`
	} `json:"retention"`
	Alertmanagers []string `json:"alertmanagers"`
	SelfTarget    string   `json:"self_target"`
	// UnalertedJobs are scrape jobs without an `up` alert, with the reason.
	UnalertedJobs map[string]string `json:"unalerted_jobs"`
}

// AlertmanagerSettings are the routing policy's stack-wide values.
type AlertmanagerSettings struct {
	ConfigDir       string   `json:"config_dir"`
	ConfigPath      string   `json:"config_path"`
	DataDir         string   `json:"data_dir"`
	DataRetention   string   `json:"data_retention"`
	StopGracePeriod string   `json:"stop_grace_period"`
	GroupBy         []string `json:"group_by"`
	GroupWait       string   `json:"group_wait"`
	GroupInterval   string   `json:"group_interval"`
	RepeatInterval  string   `json:"repeat_interval"`
	Fallback        struct {
		Receiver string `json:"receiver"`
		Channel  string `json:"channel"`
	} `json:"fallback"`
	Security struct {
		Receiver string            `json:"receiver"`
		To       string            `json:"to"`
		Labels   map[string]string `json:"labels"`
	} `json:"security"`
	SMTP struct {
		Smarthost  string `json:"smarthost"`
		From       string `json:"from"`
		Username   string `json:"username"`
		RequireTLS bool   `json:"require_tls"`
	} `json:"smtp"`
	PagerdutyURL string                   `json:"pagerduty_url"`
	Secrets      map[string]string        `json:"secrets"`
	SecretFiles  map[string]string        `json:"secret_files"`
	Paging       Paging                   `json:"paging"`
	Policy       map[string]RoutingPolicy `json:"policy"`
}

// Paging is who may be woken up (schema: settings.alertmanager.paging).
type Paging struct {
	// Environments are the `environment` label values that may page.
	Environments []string `json:"environments"`
	// MustPage are the severities that must page there.
	MustPage []string `json:"must_page"`
}

// MayPage tells whether alerts of environment env may page.
func (p Paging) MayPage(env string) bool { return slices.Contains(p.Environments, env) }

// Secrets are where credential files live (schema: settings.secrets).
type Secrets struct {
	// HostDir is the git-ignored directory, relative to the repository
	// root, Compose reads secret files from.
	HostDir string `json:"host_dir"`
	// MountDir is where Compose mounts each secret in a container.
	MountDir string `json:"mount_dir"`
	// FileMode and DirMode are how operators create the files and their
	// folder (ops/README.md).
	FileMode string `json:"file_mode"`
	DirMode  string `json:"dir_mode"`
	// CheckSuffix names each secret reader's one-shot secrets check.
	CheckSuffix string `json:"check_suffix"`
}

// GrafanaSettings are the provisioning values.
type GrafanaSettings struct {
	PublicURL  string `json:"public_url"`
	Datasource struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	ProvisioningPath    string            `json:"provisioning_path"`
	DashboardsPath      string            `json:"dashboards_path"`
	DashboardsDir       string            `json:"dashboards_dir"`
	DataDir             string            `json:"data_dir"`
	AdminPasswordSecret string            `json:"admin_password_secret"`
	Secrets             map[string]string `json:"secrets"`
}

// CaddySettings are the proxy's values.
type CaddySettings struct {
	ConfigDir  string            `json:"config_dir"`
	ConfigPath string            `json:"config_path"`
	DataDir    string            `json:"data_dir"`
	StateDir   string            `json:"state_dir"`
	Upstream   string            `json:"upstream"`
	Env        map[string]string `json:"env"`
	Examples   map[string]string `json:"examples"`
}

// Metric is one entry of the metric catalog.
type Metric struct {
	Name string `json:"name"`
	// Source is who exports it: "lms-api" or a service of the stack.
	Source string   `json:"source"`
	Type   string   `json:"type"`
	Help   string   `json:"help"`
	Unit   string   `json:"unit"`
	Labels []string `json:"labels"`
	// Buckets are a histogram's finite upper bounds.
	Buckets []float64 `json:"buckets,omitempty"`
}

// Outputs are the generated files.
type Outputs struct {
	Caddyfile struct {
		Output
		Caddy Caddy `json:"caddy"`
	} `json:"caddyfile"`
	Prometheus struct {
		Output
		Config PrometheusConfig `json:"config"`
	} `json:"prometheus"`
	Alerts struct {
		Output
		Rules RuleFile `json:"rules"`
	} `json:"alerts"`
	Alertmanager struct {
		Output
		Config AlertmanagerConfig `json:"config"`
	} `json:"alertmanager"`
	GrafanaDatasources struct {
		Output
		Config GrafanaDatasources `json:"config"`
	} `json:"grafanaDatasources"`
	GrafanaDashboardProviders struct {
		Output
		Config GrafanaDashboardProviders `json:"config"`
	} `json:"grafanaDashboardProviders"`
	ComposeObservability ComposeOutput `json:"composeObservability"`
	ComposeProd          ComposeOutput `json:"composeProd"`
	MetricsContract      PathOnly      `json:"metricsContract"`
	RuleTests            PathOnly      `json:"ruleTests"`
	Readme               PathOnly      `json:"readme"`
	AlertCatalog         PathOnly      `json:"alertCatalog"`
	Workflow             struct {
		Path     string   `json:"path"`
		Workflow Workflow `json:"workflow"`
	} `json:"workflow"`
	Kubernetes KubernetesOutputs `json:"kubernetes"`
}

// PathOnly is a generated file that is not a server's config.
type PathOnly struct {
	Path string `json:"path"`
}

// Output is a generated config file and where its server reads it.
type Output struct {
	Path      string `json:"path"`
	MountedAt struct {
		Service string `json:"service"`
		Path    string `json:"path"`
	} `json:"mounted_at"`
}

// ComposeOutput is one generated compose file.
type ComposeOutput struct {
	Path    string      `json:"path"`
	Compose ComposeFile `json:"compose"`
}

// RuleStimuli are the derived rule-test inputs of one environment.
type RuleStimuli struct {
	Healthy []InputSeries `json:"healthy"`
	Alerts  map[string]struct {
		Above []InputSeries `json:"above"`
		// Value is the expression's value under Above.
		Value float64       `json:"value"`
		Below []InputSeries `json:"below"`
	} `json:"alerts"`
}

// RoutingPolicy is who must hear about one environment's alerts.
type RoutingPolicy struct {
	Environment    string   `json:"environment"`
	Slack          string   `json:"slack"`
	Pager          string   `json:"pager"`
	PageSeverities []string `json:"page_severities"`
}

// RuleTest is a hand-written rule test (schema.#RuleTest).
type RuleTest struct {
	Name      string   `json:"name"`
	Env       string   `json:"env"`
	Evaluates []string `json:"evaluates,omitempty"`
	// Groups, when set, name the rule groups the case evaluates instead.
	Groups []string `json:"groups,omitempty"`
	// Precondition, when set, says whether the case makes sense for the
	// configured values; a case whose precondition does not hold is skipped.
	Precondition *struct {
		Holds  bool   `json:"holds"`
		Reason string `json:"reason"`
	} `json:"precondition,omitempty"`
	Interval      string        `json:"interval"`
	EvaluateEvery string        `json:"evaluate_every,omitempty"`
	DenseFrom     string        `json:"dense_from,omitempty"`
	DenseUntil    string        `json:"dense_until,omitempty"`
	Series        []InputSeries `json:"series"`
	Evals         []struct {
		At      string          `json:"at"`
		Firing  []ExpectedAlert `json:"firing"`
		Samples []ExprSamples   `json:"samples,omitempty"`
	} `json:"evals"`
}

// ExprSamples are a PromQL expression and exactly the samples it gives.
type ExprSamples struct {
	Expr string `json:"expr"`
	Want []struct {
		// Series is the sample's labels in PromQL notation.
		Series string  `json:"series"`
		Value  float64 `json:"value"`
	} `json:"want"`
}

// ExpectedAlert is an alert a rule test expects to fire.
type ExpectedAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// Value, when given instead of Annotations, is the expression's value:
	// the annotations are the rule's templates expanded with it.
	Value *float64 `json:"value,omitempty"`
}

// RouteTest is a hand-written routing test (schema.#RouteTest).
type RouteTest struct {
	Name      string            `json:"name"`
	Labels    map[string]string `json:"labels"`
	Receivers []string          `json:"receivers"`
}

// InhibitTest is a hand-written inhibition test (schema.#InhibitTest).
type InhibitTest struct {
	Name   string            `json:"name"`
	Source map[string]string `json:"source"`
	Target map[string]string `json:"target"`
	Muted  bool              `json:"muted"`
}

// InputSeries is one synthetic series in promtool's load notation.
type InputSeries struct {
	Series string   `json:"series"`
	Values string   `json:"values,omitempty"`
	Start  *float64 `json:"start,omitempty"`
	Step   *float64 `json:"step,omitempty"`
}

// LoadValues is the series' values in load notation: as written, or
// "start+stepxN" for a derived series.
func (s InputSeries) LoadValues(n int) string {
	if s.Values == "" && s.Start != nil && s.Step != nil {
		return fmt.Sprintf("%s+%sx%d", fmtNum(*s.Start), fmtNum(*s.Step), n)
	}
	return s.Values
}

// fmtNum formats a float exactly, without exponent: the stimuli of small
// thresholds are small numbers, and rounding them could cross the threshold.
func fmtNum(f float64) string {
	if f == 0 {
		return "0"
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// APISource is the Source of the metrics the LMS API exports: the one
// value of schema.#Metric's source that is not a service of the stack.
const APISource = "lms-api"

// Monitoring is the stack watching itself (schema: settings.monitoring).
type Monitoring struct {
	Jobs    map[string][]string `json:"jobs"`
	Labels  map[string]string   `json:"labels"`
	Network string              `json:"network"`
	Ops     struct {
		EmailReceiver string `json:"email_receiver"`
		To            string `json:"to"`
	} `json:"ops"`
	Heartbeat struct {
		Receiver       string `json:"receiver"`
		RepeatInterval string `json:"repeat_interval"`
		GroupInterval  string `json:"group_interval"`
	} `json:"heartbeat"`
	Alerts map[string]struct {
		Severity  string   `json:"severity"`
		Window    string   `json:"window,omitempty"`
		For       string   `json:"for"`
		Threshold *float64 `json:"threshold,omitempty"`
	} `json:"alerts"`
	// Receivers are who must hear of each stack alert.
	Receivers struct {
		Default []string            `json:"default"`
		Alerts  map[string][]string `json:"alerts"`
	} `json:"receivers"`
}

// ReceiversOf are the receivers a stack alert must reach.
func (m Monitoring) ReceiversOf(alert string) []string {
	if r, ok := m.Receivers.Alerts[alert]; ok {
		return r
	}
	return m.Receivers.Default
}

// ThresholdOf is how alert is tuned in the rule group of env: the
// environment's thresholds, or for the stack's own group (not an
// environment) settings.monitoring.alerts.
func (s *Stack) ThresholdOf(env, alert string) Threshold {
	if e, ok := s.Envs[env]; ok {
		return e.Alerts[alert]
	}
	t := s.Settings.Monitoring.Alerts[alert]
	th := Threshold{Window: t.Window, For: t.For, Severity: t.Severity}
	if t.Threshold != nil {
		th.Threshold = *t.Threshold
	}
	return th
}

// HA is the high-availability topology (schema: settings.ha).
type HA struct {
	Enabled              bool   `json:"enabled"`
	PrometheusReplicas   int    `json:"prometheus_replicas"`
	AlertmanagerReplicas int    `json:"alertmanager_replicas"`
	ReplicaLabel         string `json:"replica_label"`
	ReplicaEnv           string `json:"replica_env"`
	Cluster              struct {
		Port  int    `json:"port"`
		Label string `json:"label"`
	} `json:"cluster"`
}
