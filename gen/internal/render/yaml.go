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
	if err := encodeTo(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// YAMLList writes what YAML writes for a mapping of head's fields
// followed by key: items, but encodes each item on its own.
//
// go-yaml's emitter keeps every event of a document in a slice until the
// document ends (go-yaml/yaml#873): for the rule and test files, one
// document with a list item per rule group or case, growing that slice
// was nine tenths of the encoding's time and kept a copy of the whole
// document's events alive. Each item is written as a one-item list and
// indented under key, as the encoder nests a list in a mapping at this
// indentation; a head of nil writes key alone.
func YAMLList[T any](header string, head any, key string, items []T) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", header)
	if head != nil {
		if err := encodeTo(&b, head); err != nil {
			return nil, err
		}
	}
	if len(items) == 0 {
		fmt.Fprintf(&b, "%s: []\n", key)
		return b.Bytes(), nil
	}
	fmt.Fprintf(&b, "%s:\n", key)
	var item bytes.Buffer
	for i := range items {
		item.Reset()
		if err := encodeTo(&item, items[i:i+1]); err != nil {
			return nil, err
		}
		for line := range bytes.Lines(item.Bytes()) {
			// A blank line inside a block scalar is written without its
			// indentation; so it stays.
			if len(line) > 1 {
				b.WriteString("  ")
			}
			b.Write(line)
		}
	}
	return b.Bytes(), nil
}

// encodeTo writes v as one YAML document with two-space indentation.
func encodeTo(b *bytes.Buffer, v any) error {
	enc := yaml.NewEncoder(b)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return err
	}
	return enc.Close()
}
