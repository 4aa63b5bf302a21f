package render

import (
	"bytes"
	"testing"

	"go.yaml.in/yaml/v3"
)

type listItem struct {
	Name   string            `yaml:"name"`
	Expr   string            `yaml:"expr,omitempty"`
	Labels map[string]string `yaml:"labels,omitempty"`
	Nested []listItem        `yaml:"nested,omitempty"`
	Empty  []string          `yaml:"empty"`
}

type listHead struct {
	Files    []string `yaml:"rule_files"`
	Interval string   `yaml:"evaluation_interval"`
}

type listWhole struct {
	Files    []string   `yaml:"rule_files"`
	Interval string     `yaml:"evaluation_interval"`
	Items    []listItem `yaml:"tests"`
}

type listOnly struct {
	Items []listItem `yaml:"tests"`
}

// TestYAMLList: the items written one at a time give the bytes of the
// whole value written at once, for the shapes the rule and test files
// hold: block scalars with blank lines and leading spaces, quoted and
// special strings, nested lists, empty lists and maps, and no head.
func TestYAMLList(t *testing.T) {
	items := []listItem{
		{Name: "plain", Expr: "rate(x[5m]) > 0.05", Labels: map[string]string{"severity": "critical", "a": "yes"}},
		{Name: "block", Expr: "(\n  sum(a)\n\n  / sum(b)\n)\nor\n  vector(0)\n"},
		{Name: "leading spaces", Expr: "   indented first line\nnext\n\n\n"},
		{Name: "special: chars # here", Expr: "- looks like a list", Labels: map[string]string{"": "empty key", "k": ""}},
		{Name: "nested", Nested: []listItem{{Name: "inner", Expr: "a\nb"}, {Name: "inner2", Empty: []string{}}}},
		{Name: "tabs\tand unicode ×", Expr: "\ttab first\n"},
	}
	for _, tc := range []struct {
		name  string
		head  any
		items []listItem
		whole any
	}{
		{"with a head", listHead{[]string{"../alerts.yml"}, "15s"}, items, listWhole{[]string{"../alerts.yml"}, "15s", items}},
		{"no head", nil, items, listOnly{items}},
		{"no items", listHead{nil, "1m"}, nil, listWhole{nil, "1m", []listItem{}}},
		{"no head, no items", nil, []listItem{}, listOnly{[]listItem{}}},
	} {
		want, err := YAML("h", tc.whole)
		if err != nil {
			t.Fatal(err)
		}
		got, err := YAMLList("h", tc.head, "tests", tc.items)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: YAMLList gives\n%s\nwant, as one document,\n%s", tc.name, got, want)
		}
	}
}

// TestYAMLDocs: documents encoded one at a time give the stream one
// encoder writes.
func TestYAMLDocs(t *testing.T) {
	var nodes []*yaml.Node
	for _, v := range []any{listOnly{nil}, map[string]any{"a": "x\n\ny\n", "b": []int{}}, listHead{[]string{"f"}, "1m"}} {
		var n yaml.Node
		if err := n.Encode(v); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, &n)
	}
	var want bytes.Buffer
	want.WriteString("# h\n")
	enc := yaml.NewEncoder(&want)
	enc.SetIndent(2)
	for _, n := range nodes {
		if err := enc.Encode(n); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := yamlDocs("h", nodes)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("yamlDocs gives\n%s\nwant\n%s", got, want.Bytes())
	}
}
