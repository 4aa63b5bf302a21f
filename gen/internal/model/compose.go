package model

import (
	"maps"

	"go.yaml.in/yaml/v3"
)

// ComposeFile is a docker-compose file (schema.#ComposeFile).
type ComposeFile struct {
	Services map[string]ComposeService `json:"services" yaml:"services"`
	Volumes  map[string]struct{}       `json:"volumes,omitempty" yaml:"volumes,omitempty"`
	Networks map[string]ComposeNetwork `json:"networks,omitempty" yaml:"networks,omitempty"`
	Secrets  map[string]ComposeSecret  `json:"secrets,omitempty" yaml:"secrets,omitempty"`
}

// ComposeService is one service of a compose file.
type ComposeService struct {
	Image string `json:"image" yaml:"image"`
	// Entrypoint is set only by the stack's one-shot secrets checks.
	Entrypoint  []string          `json:"entrypoint,omitempty" yaml:"entrypoint,omitempty"`
	Command     []string          `json:"command,omitempty" yaml:"command,omitempty"`
	Environment map[string]string `json:"environment,omitempty" yaml:"environment,omitempty"`
	Volumes     []string          `json:"volumes,omitempty" yaml:"volumes,omitempty"`
	Tmpfs       []string          `json:"tmpfs,omitempty" yaml:"tmpfs,omitempty"`
	// Ports are Quoted in the output: unquoted "80:80" is a base-60 number
	// to YAML 1.1 parsers.
	Ports           []Quoted             `json:"ports,omitempty" yaml:"ports,omitempty"`
	ExtraHosts      []string             `json:"extra_hosts,omitempty" yaml:"extra_hosts,omitempty"`
	Secrets         []string             `json:"secrets,omitempty" yaml:"secrets,omitempty"`
	Networks        []string             `json:"networks,omitempty" yaml:"networks,omitempty"`
	DependsOn       map[string]DependsOn `json:"depends_on,omitempty" yaml:"depends_on,omitempty"`
	Healthcheck     *Healthcheck         `json:"healthcheck,omitempty" yaml:"healthcheck,omitempty"`
	Restart         string               `json:"restart,omitempty" yaml:"restart,omitempty"`
	StopGracePeriod string               `json:"stop_grace_period,omitempty" yaml:"stop_grace_period,omitempty"`
}

// DependsOn is the condition a service waits for in another.
type DependsOn struct {
	Condition string `json:"condition" yaml:"condition"`
}

// Healthcheck is a service's health probe.
type Healthcheck struct {
	Test        []string `json:"test" yaml:"test"`
	Interval    string   `json:"interval" yaml:"interval"`
	Timeout     string   `json:"timeout" yaml:"timeout"`
	Retries     int      `json:"retries" yaml:"retries"`
	StartPeriod string   `json:"start_period,omitempty" yaml:"start_period,omitempty"`
}

// ComposeSecret is a top-level compose secret read from a file.
type ComposeSecret struct {
	File string `json:"file" yaml:"file"`
}

// Quoted is a string always written double-Quoted.
type Quoted string

// MarshalYAML implements yaml.Marshaler.
func (q Quoted) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: string(q)}, nil
}

// ComposeNetwork is a top-level compose network.
type ComposeNetwork struct {
	Name     string `json:"name,omitempty" yaml:"name,omitempty"`
	External bool   `json:"external,omitempty" yaml:"external,omitempty"`
}

// ComposeServices are the services of both generated compose files, by
// name: one host runs both.
func (s *Stack) ComposeServices() map[string]ComposeService {
	out := map[string]ComposeService{}
	for _, c := range []ComposeOutput{s.Outputs.ComposeObservability, s.Outputs.ComposeProd} {
		maps.Copy(out, c.Compose.Services)
	}
	return out
}
