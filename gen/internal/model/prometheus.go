package model

// PrometheusConfig is prometheus.yml (schema.#PrometheusConfig).
type PrometheusConfig struct {
	Global struct {
		ScrapeInterval     string            `json:"scrape_interval" yaml:"scrape_interval"`
		EvaluationInterval string            `json:"evaluation_interval" yaml:"evaluation_interval"`
		ExternalLabels     map[string]string `json:"external_labels,omitempty" yaml:"external_labels,omitempty"`
	} `json:"global" yaml:"global"`
	RuleFiles []string `json:"rule_files" yaml:"rule_files"`
	Alerting  struct {
		AlertRelabelConfigs []struct {
			Action string `json:"action" yaml:"action"`
			Regex  string `json:"regex" yaml:"regex"`
		} `json:"alert_relabel_configs,omitempty" yaml:"alert_relabel_configs,omitempty"`
		Alertmanagers []struct {
			StaticConfigs []StaticConfig `json:"static_configs" yaml:"static_configs"`
		} `json:"alertmanagers" yaml:"alertmanagers"`
	} `json:"alerting" yaml:"alerting"`
	ScrapeConfigs []ScrapeJob `json:"scrape_configs" yaml:"scrape_configs"`
}

// ScrapeJob is one entry of scrape_configs.
type ScrapeJob struct {
	JobName       string         `json:"job_name" yaml:"job_name"`
	MetricsPath   string         `json:"metrics_path,omitempty" yaml:"metrics_path,omitempty"`
	StaticConfigs []StaticConfig `json:"static_configs" yaml:"static_configs"`
}

// StaticConfig is a static target group.
type StaticConfig struct {
	Targets []string          `json:"targets" yaml:"targets"`
	Labels  map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
}

// RuleFile is a Prometheus rule file.
type RuleFile struct {
	Groups []RuleGroup `json:"groups" yaml:"groups"`
}

// RuleGroup is one group of rules: an environment's alerts, the stack's,
// or one SLO's recording rules and alerts (SLO set).
type RuleGroup struct {
	Env string `json:"env" yaml:"-"`
	// SLO names the SLO whose rules the group holds ("" for alerts only).
	SLO   string      `json:"slo,omitempty" yaml:"-"`
	Name  string      `json:"name" yaml:"name"`
	Rules []AlertRule `json:"rules" yaml:"rules"`
}

// AlertRule is one rule: an alerting rule, or a recording rule (Record
// set, in an SLO's group only).
type AlertRule struct {
	Record      string            `json:"record,omitempty" yaml:"record,omitempty"`
	Alert       string            `json:"alert,omitempty" yaml:"alert,omitempty"`
	Expr        string            `json:"expr" yaml:"expr"`
	For         string            `json:"for,omitempty" yaml:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty" yaml:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty" yaml:"annotations,omitempty"`
}

// IsRecord tells a recording rule from an alerting rule.
func (r AlertRule) IsRecord() bool { return r.Record != "" }

// Name is the rule's alert or recorded series, as Prometheus names it.
func (r AlertRule) Name() string {
	if r.IsRecord() {
		return r.Record
	}
	return r.Alert
}
