package gen

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// renderYAML writes v as YAML with two-space indentation under a generated
// header. Struct fields keep their declared order and maps are sorted, so the
// bytes are deterministic.
func renderYAML(header string, v any) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", header)
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// quoted is a string always written double-quoted.
type quoted string

// MarshalYAML implements yaml.Marshaler.
func (q quoted) MarshalYAML() (any, error) {
	return &yaml.Node{Kind: yaml.ScalarNode, Style: yaml.DoubleQuotedStyle, Value: string(q)}, nil
}
