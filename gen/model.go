package gen

import "encoding/json"

// The Go model mirrors schema/*.cue. It is decoded strictly from the
// validated CUE value (an unknown field is an error), so a field added to the
// schema but not here fails loudly instead of vanishing from the output.
// Field order is output order; JSON tags read CUE, YAML tags write files.

// Stack is the whole evaluated model: the environments and every output.
type Stack struct {
	Envs         map[string]Env         `json:"envs"`
	Versions     Versions               `json:"versions"`
	Settings     Settings               `json:"settings"`
	Metrics      map[string]Metric      `json:"metrics"`
	RuleStimuli  map[string]RuleStimuli `json:"ruleStimuli"`
	RuleTests    []RuleTest             `json:"ruleTests"`
	RouteTests   []RouteTest            `json:"routeTests"`
	InhibitTests []InhibitTest          `json:"inhibitTests"`
	// Dashboards are decoded by gen/dashboards.
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
	RunbookBaseURL string               `json:"runbook_base_url"`
}

// Service is a compose service and the ports other configs reach it on.
type Service struct {
	Port     int   `json:"port,omitempty"`
	HostPort int   `json:"host_port,omitempty"`
	Ports    []int `json:"ports,omitempty"`
}

// PrometheusSettings are prometheus.yml's stack-wide values.
type PrometheusSettings struct {
	ScrapeInterval     string `json:"scrape_interval"`
	EvaluationInterval string `json:"evaluation_interval"`
	ConfigPath         string `json:"config_path"`
	RulesPath          string `json:"rules_path"`
	Alertmanager       string `json:"alertmanager"`
	SelfTarget         string `json:"self_target"`
	// UnalertedJobs are scrape jobs without an `up` alert, with the reason.
	UnalertedJobs map[string]string `json:"unalerted_jobs"`
}

// AlertmanagerSettings are the routing policy's stack-wide values.
type AlertmanagerSettings struct {
	ConfigPath     string   `json:"config_path"`
	GroupBy        []string `json:"group_by"`
	GroupWait      string   `json:"group_wait"`
	GroupInterval  string   `json:"group_interval"`
	RepeatInterval string   `json:"repeat_interval"`
	Fallback       struct {
		Receiver string `json:"receiver"`
		Channel  string `json:"channel"`
	} `json:"fallback"`
	Security struct {
		Receiver string `json:"receiver"`
		To       string `json:"to"`
	} `json:"security"`
	SMTP struct {
		Smarthost  string `json:"smarthost"`
		From       string `json:"from"`
		Username   string `json:"username"`
		RequireTLS bool   `json:"require_tls"`
	} `json:"smtp"`
	SecretsDir   string                   `json:"secrets_dir"`
	PagerdutyURL string                   `json:"pagerduty_url"`
	Secrets      map[string]string        `json:"secrets"`
	SecretFiles  map[string]string        `json:"secret_files"`
	Policy       map[string]RoutingPolicy `json:"policy"`
}

// GrafanaSettings are the provisioning values.
type GrafanaSettings struct {
	PublicURL  string `json:"public_url"`
	Datasource struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	} `json:"datasource"`
	ProvisioningPath string `json:"provisioning_path"`
	DashboardsPath   string `json:"dashboards_path"`
	DashboardsDir    string `json:"dashboards_dir"`
}

// CaddySettings are the proxy's values.
type CaddySettings struct {
	ConfigPath string            `json:"config_path"`
	Upstream   string            `json:"upstream"`
	Env        map[string]string `json:"env"`
	Examples   map[string]string `json:"examples"`
}

// Metric is one entry of the metric catalog.
type Metric struct {
	Name   string   `json:"name"`
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
	MetricsContract      struct {
		Path string `json:"path"`
	} `json:"metricsContract"`
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
	// Precondition, when set, says whether the case makes sense for the
	// configured values; a case whose precondition does not hold is skipped.
	Precondition *struct {
		Holds  bool   `json:"holds"`
		Reason string `json:"reason"`
	} `json:"precondition,omitempty"`
	Interval      string        `json:"interval"`
	EvaluateEvery string        `json:"evaluate_every,omitempty"`
	Series        []InputSeries `json:"series"`
	Evals         []struct {
		At     string          `json:"at"`
		Firing []ExpectedAlert `json:"firing"`
	} `json:"evals"`
}

// ExpectedAlert is an alert a rule test expects to fire.
type ExpectedAlert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations,omitempty"`
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
