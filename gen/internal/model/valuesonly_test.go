package model

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestValuesOnly: each kind of logic in an envs/ file is refused at its
// line; values, interpolations, lets and embeddings are not.
func TestValuesOnly(t *testing.T) {
	for _, c := range []struct {
		name, file, src, want string
	}{
		{"values", "stack.cue", "package stack\n\nimport \"lms.example/ops/derive\"\n\nderive\n\nsettings: a: {b: 1, c: \"x\\(b)\"}\nlet l = [1, 2]\nsettings: d: l\n", ""},
		{"a list comprehension", "stack.cue", "package stack\n\nsettings: a: [for x in [1] {x}]\n", "envs/stack.cue:3:15: values only: a comprehension in envs/"},
		{"a field comprehension", "prod/env.cue", "package env\n\nlabels: {\n\tif true {a: 1}\n}\n", "envs/prod/env.cue:4:2: values only: a comprehension in envs/"},
		{"a definition", "k8s.cue", "package stack\n\nsettings: #X: {a: int}\n", "envs/k8s.cue:3:11: values only: definition #X in envs/"},
		{"outputs", "caddy.cue", "package stack\n\noutputs: caddyfile: path: \"x\"\n", "envs/caddy.cue:3:1: values only: the field outputs in envs/"},
		{"outputs below the top is a value", "caddy.cue", "package stack\n\nsettings: outputs: 1\n", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			p := filepath.Join(root, EnvsDir, c.file)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, []byte(c.src), 0o644); err != nil {
				t.Fatal(err)
			}
			ps, err := ValuesOnly(root, nil)
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case c.want == "" && len(ps) > 0:
				t.Errorf("refused: %v", ps)
			case c.want != "" && (len(ps) != 1 || !strings.Contains(ps[0].String(), c.want)):
				t.Errorf("got %v, want one problem containing %q", ps, c.want)
			}
		})
	}
}
