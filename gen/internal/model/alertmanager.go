package model

import (
	"path"
	"strings"
)

// AlertmanagerConfig is alertmanager.yml (schema.#AlertmanagerConfig).
type AlertmanagerConfig struct {
	Global struct {
		ResolveTimeout       string `json:"resolve_timeout,omitempty" yaml:"resolve_timeout,omitempty"`
		SMTPSmarthost        string `json:"smtp_smarthost,omitempty" yaml:"smtp_smarthost,omitempty"`
		SMTPFrom             string `json:"smtp_from,omitempty" yaml:"smtp_from,omitempty"`
		SMTPAuthUsername     string `json:"smtp_auth_username,omitempty" yaml:"smtp_auth_username,omitempty"`
		SMTPAuthPasswordFile string `json:"smtp_auth_password_file,omitempty" yaml:"smtp_auth_password_file,omitempty"`
		SMTPRequireTLS       *bool  `json:"smtp_require_tls,omitempty" yaml:"smtp_require_tls,omitempty"`
	} `json:"global" yaml:"global"`
	Route        Route         `json:"route" yaml:"route"`
	Receivers    []Receiver    `json:"receivers" yaml:"receivers"`
	InhibitRules []InhibitRule `json:"inhibit_rules" yaml:"inhibit_rules"`
}

// Route is a node of the routing tree.
type Route struct {
	Receiver       string   `json:"receiver,omitempty" yaml:"receiver,omitempty"`
	GroupBy        []string `json:"group_by,omitempty" yaml:"group_by,omitempty"`
	Matchers       []string `json:"matchers,omitempty" yaml:"matchers,omitempty"`
	Continue       bool     `json:"continue,omitempty" yaml:"continue,omitempty"`
	GroupWait      string   `json:"group_wait,omitempty" yaml:"group_wait,omitempty"`
	GroupInterval  string   `json:"group_interval,omitempty" yaml:"group_interval,omitempty"`
	RepeatInterval string   `json:"repeat_interval,omitempty" yaml:"repeat_interval,omitempty"`
	Routes         []Route  `json:"routes,omitempty" yaml:"routes,omitempty"`
}

// Receiver is a named set of integrations.
type Receiver struct {
	Name             string            `json:"name" yaml:"name"`
	SlackConfigs     []SlackConfig     `json:"slack_configs,omitempty" yaml:"slack_configs,omitempty"`
	PagerdutyConfigs []PagerdutyConfig `json:"pagerduty_configs,omitempty" yaml:"pagerduty_configs,omitempty"`
	EmailConfigs     []EmailConfig     `json:"email_configs,omitempty" yaml:"email_configs,omitempty"`
	WebhookConfigs   []WebhookConfig   `json:"webhook_configs,omitempty" yaml:"webhook_configs,omitempty"`
}

// Notifies reports whether the receiver has at least one integration.
func (r Receiver) Notifies() bool {
	return len(r.SlackConfigs)+len(r.PagerdutyConfigs)+len(r.EmailConfigs)+len(r.WebhookConfigs) > 0
}

// WebhookConfig posts alerts to a URL read from a file.
type WebhookConfig struct {
	URLFile      string `json:"url_file" yaml:"url_file"`
	SendResolved *bool  `json:"send_resolved,omitempty" yaml:"send_resolved,omitempty"`
}

// Describe says where the receiver notifies, for a reader: its name and
// each integration's destination ("production-slack (Slack #lms-prod-alerts)").
func (r Receiver) Describe() string {
	var to []string
	for _, c := range r.SlackConfigs {
		to = append(to, "Slack "+c.Channel)
	}
	for range r.PagerdutyConfigs {
		to = append(to, "PagerDuty")
	}
	for _, c := range r.EmailConfigs {
		to = append(to, "e-mail "+c.To)
	}
	for _, c := range r.WebhookConfigs {
		to = append(to, "webhook "+path.Base(c.URLFile))
	}
	if len(to) == 0 {
		return r.Name + " (nobody)"
	}
	return r.Name + " (" + strings.Join(to, ", ") + ")"
}

// DescribeReceivers describes each named receiver of c, in order; a name c
// does not define is kept as it is.
func (c AlertmanagerConfig) DescribeReceivers(names []string) []string {
	out := make([]string, 0, len(names))
	for _, n := range names {
		d := n
		for _, r := range c.Receivers {
			if r.Name == n {
				d = r.Describe()
			}
		}
		out = append(out, d)
	}
	return out
}

// SlackConfig posts to Slack through a webhook URL read from a file.
type SlackConfig struct {
	APIURLFile   string `json:"api_url_file" yaml:"api_url_file"`
	Channel      string `json:"channel" yaml:"channel"`
	SendResolved *bool  `json:"send_resolved,omitempty" yaml:"send_resolved,omitempty"`
	Title        string `json:"title,omitempty" yaml:"title,omitempty"`
	Text         string `json:"text,omitempty" yaml:"text,omitempty"`
}

// PagerdutyConfig pages through PagerDuty with a routing key read from a file.
type PagerdutyConfig struct {
	RoutingKeyFile string `json:"routing_key_file" yaml:"routing_key_file"`
	URL            string `json:"url,omitempty" yaml:"url,omitempty"`
	SendResolved   *bool  `json:"send_resolved,omitempty" yaml:"send_resolved,omitempty"`
	Severity       string `json:"severity,omitempty" yaml:"severity,omitempty"`
	Description    string `json:"description,omitempty" yaml:"description,omitempty"`
}

// EmailConfig sends mail through the global SMTP settings.
type EmailConfig struct {
	To           string            `json:"to" yaml:"to"`
	SendResolved *bool             `json:"send_resolved,omitempty" yaml:"send_resolved,omitempty"`
	Headers      map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
}

// InhibitRule mutes target alerts while a source alert fires.
type InhibitRule struct {
	SourceMatchers []string `json:"source_matchers" yaml:"source_matchers"`
	TargetMatchers []string `json:"target_matchers" yaml:"target_matchers"`
	Equal          []string `json:"equal" yaml:"equal"`
}
