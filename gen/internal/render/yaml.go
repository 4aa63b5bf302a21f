package render

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// YAML writes v as YAML with two-space indentation under a generated
// header. Struct fields keep their declared order and maps are sorted, so the
// bytes are deterministic.
func YAML(header string, v any) ([]byte, error) {
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
