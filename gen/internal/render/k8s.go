package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// Kubernetes renders ops/k8s/: the operator's objects as CUE evaluated
// them (checked against the CRDs' CUE definitions), the Prometheus pods'
// ServiceAccount, Role and RoleBinding, Grafana's datasource ConfigMap, the Alertmanager
// configuration Secret holding alertmanager.yml's Kubernetes variant,
// rendered as alertmanager.yml is, one ConfigMap per dashboard holding the
// dashboard's rendered JSON (dash: the rendered files by path), and the
// README that says what to create first.
func Kubernetes(s *model.Stack, dash output.Files) ([]output.File, error) {
	k := s.Outputs.Kubernetes
	h := s.GeneratedHeader
	am, err := YAML(h, k.Alertmanager.Config)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", k.Alertmanager.Path, err)
	}
	secret, err := withEntry(k.Alertmanager.ConfigSecret, "stringData", s.Settings.Kubernetes.Operator.ConfigKey, string(am))
	if err != nil {
		return nil, err
	}
	ds, err := YAML(h, k.Datasource.Config)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", k.Datasource.Path, err)
	}
	datasource, err := withEntry(k.Datasource.Object, "data", k.Datasource.Key, string(ds))
	if err != nil {
		return nil, err
	}
	rules, err := ruleObjects(s)
	if err != nil {
		return nil, fmt.Errorf("render %s: %w", k.Rules.Path, err)
	}
	var configMaps []*yaml.Node
	for _, name := range slices.Sorted(maps.Keys(k.Dashboards.Objects)) {
		data, ok := dash[DashboardPath(s, name)]
		if !ok {
			return nil, fmt.Errorf("render %s: no rendered dashboard %s", k.Dashboards.Path, name)
		}
		cm, err := withEntry(k.Dashboards.Objects[name], "data", name+".json", string(data))
		if err != nil {
			return nil, err
		}
		configMaps = append(configMaps, cm)
	}
	one := func(raw json.RawMessage) []*yaml.Node {
		n, e := jsonNode(raw)
		if e != nil && err == nil {
			err = e
		}
		return []*yaml.Node{n}
	}
	all := func(raws []json.RawMessage) []*yaml.Node {
		var nodes []*yaml.Node
		for _, raw := range raws {
			nodes = append(nodes, one(raw)...)
		}
		return nodes
	}
	docs := []struct {
		path  string
		nodes []*yaml.Node
	}{
		{k.Prometheus.Path, one(k.Prometheus.Object)},
		{k.Alertmanager.Path, append(one(k.Alertmanager.Object), secret)},
		{k.Rules.Path, rules},
		{k.RBAC.Path, append(append(one(k.RBAC.ServiceAccount), one(k.RBAC.Role)...), one(k.RBAC.RoleBinding)...)},
		{k.Scrape.Path, all(k.Scrape.Objects)},
		{k.Datasource.Path, []*yaml.Node{datasource}},
		{k.Dashboards.Path, configMaps},
	}
	if err != nil {
		return nil, err
	}
	var files []output.File
	for _, d := range docs {
		data, err := yamlDocs(h, d.nodes)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", d.path, err)
		}
		files = append(files, output.File{Path: d.path, Data: data})
	}
	files = append(files, output.File{Path: k.Readme, Data: KubernetesReadme(s, files)})
	return files, nil
}

// ruleObjects are the PrometheusRules as CUE evaluated them, each with
// alerts.yml's groups of its environment, in alerts.yml's order, as
// spec.groups: the same values, written as alerts.yml writes them.
func ruleObjects(s *model.Stack) ([]*yaml.Node, error) {
	byEnv := map[string][]model.RuleGroup{}
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		byEnv[g.Env] = append(byEnv[g.Env], g)
	}
	var nodes []*yaml.Node
	for _, o := range s.Outputs.Kubernetes.Rules.Objects {
		var groups yaml.Node
		if err := groups.Encode(byEnv[o.Env]); err != nil {
			return nil, err
		}
		n, err := withNode(o.Object, "spec", "groups", &groups)
		if err != nil {
			return nil, err
		}
		nodes = append(nodes, n)
	}
	return nodes, nil
}

// jsonNode reads JSON as a YAML node tree, keeping the key order, in block
// style.
func jsonNode(raw json.RawMessage) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 {
		return nil, fmt.Errorf("not one JSON value: %.40s", raw)
	}
	n := doc.Content[0]
	var plain func(*yaml.Node)
	plain = func(n *yaml.Node) {
		n.Style = 0
		for _, c := range n.Content {
			plain(c)
		}
	}
	plain(n)
	metadataFirst(n)
	return n, nil
}

// metaOrder is the order of an object's metadata fields in ops/k8s/, as
// kubectl prints them. CUE orders fields by how the evaluation met them,
// which changes with how the model is unified; the files must not.
var metaOrder = []string{"name", "namespace", "labels", "annotations"}

// metadataFirst puts the object's metadata fields in metaOrder.
func metadataFirst(obj *yaml.Node) {
	for i := 0; i+1 < len(obj.Content); i += 2 {
		if obj.Content[i].Value != "metadata" {
			continue
		}
		m := obj.Content[i+1]
		pairs := make([][2]*yaml.Node, 0, len(m.Content)/2)
		for j := 0; j+1 < len(m.Content); j += 2 {
			pairs = append(pairs, [2]*yaml.Node{m.Content[j], m.Content[j+1]})
		}
		rank := func(k string) int {
			if r := slices.Index(metaOrder, k); r >= 0 {
				return r
			}
			return len(metaOrder)
		}
		slices.SortStableFunc(pairs, func(a, b [2]*yaml.Node) int { return rank(a[0].Value) - rank(b[0].Value) })
		m.Content = m.Content[:0]
		for _, p := range pairs {
			m.Content = append(m.Content, p[0], p[1])
		}
	}
}

// withEntry is the object raw with key: value added to its map field.
func withEntry(raw json.RawMessage, field, key, value string) (*yaml.Node, error) {
	return withNode(raw, field, key, str(value))
}

func str(v string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: v} }

// withNode is withEntry with any value.
func withNode(raw json.RawMessage, field, key string, value *yaml.Node) (*yaml.Node, error) {
	n, err := jsonNode(raw)
	if err != nil {
		return nil, err
	}
	entry := []*yaml.Node{str(key), value}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == field {
			n.Content[i+1].Content = append(n.Content[i+1].Content, entry...)
			return n, nil
		}
	}
	n.Content = append(n.Content, str(field), &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map", Content: entry})
	return n, nil
}

// yamlDocs writes the nodes as a stream of YAML documents under the
// generated header, separated by "---" as one encoder would, but each
// encoded on its own: one encoder keeps every event of the stream until
// it is closed (see YAMLList).
func yamlDocs(header string, nodes []*yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s\n", header)
	for i, n := range nodes {
		if i > 0 {
			b.WriteString("---\n")
		}
		if err := encodeTo(&b, n); err != nil {
			return nil, err
		}
	}
	return b.Bytes(), nil
}

// KubernetesReadme writes ops/k8s/README.md: what the files are, the
// Secrets to create before the first apply (names and keys, read from the
// same git-ignored files Compose reads), and the apply command.
func KubernetesReadme(s *model.Stack, files []output.File) []byte {
	k := s.Settings.Kubernetes
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# ops/k8s/: the stack for prometheus-operator\n\n", s.GeneratedHeader)
	fmt.Fprintf(&b, "Generated from the same CUE model as the compose stack, for prometheus-operator %s\n"+
		"(kube-prometheus), whose CRDs must be installed. Every object is in the namespace `%s`.\n\n", k.Operator.Version, k.Namespace)
	for _, f := range files {
		fmt.Fprintf(&b, "- `%s`\n", f.Path)
	}
	b.WriteString("\n## Secrets to create first\n\n" +
		"Credentials are never in this repository. Create each Secret from the files Compose reads\n" +
		"(`./" + s.Settings.Secrets.HostDir + "/<name>`, git-ignored), before the first apply:\n\n")
	for _, name := range slices.Sorted(maps.Keys(k.Credentials)) {
		keys := k.Credentials[name]
		fmt.Fprintf(&b, "    kubectl -n %s create secret generic %s \\\n", k.Namespace, name)
		sorted := slices.Sorted(maps.Keys(keys))
		for i, key := range sorted {
			end := " \\"
			if i == len(sorted)-1 {
				end = ""
			}
			fmt.Fprintf(&b, "      --from-file=%s=%s/%s%s\n", key, s.Settings.Secrets.HostDir, key, end)
		}
		fmt.Fprintf(&b, "\n| Secret | key | mounted at | content |\n|---|---|---|---|\n")
		for _, key := range sorted {
			fmt.Fprintf(&b, "| `%s` | `%s` | `%s/%s/%s` | %s |\n", name, key, k.Operator.SecretsDir, name, key, keys[key])
		}
	}
	writeClusterNeeds(&b, s)
	fmt.Fprintf(&b, "\n## Apply\n\n    kubectl apply --server-side -f %s/\n", pathDir(s.Outputs.Kubernetes.Readme))
	return []byte(b.String())
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}

// writeClusterNeeds says what the cluster must already have: the operator,
// the Services the scrape targets reach, and the Grafana that loads the
// ConfigMaps.
func writeClusterNeeds(b *strings.Builder, s *model.Stack) {
	k := s.Settings.Kubernetes
	fmt.Fprintf(b, "\n## What the cluster must already have\n\n"+
		"prometheus-operator %s with its CRDs, watching the namespace `%s`. The scrape targets reach these\n"+
		"Services, which nothing here creates:\n\n| job | Service | port | created by |\n|---|---|---|---|\n", k.Operator.Version, k.Namespace)
	services := slices.Collect(maps.Values(k.Services))
	slices.SortFunc(services, func(a, b model.KubernetesService) int { return strings.Compare(a.Job, b.Job) })
	for _, sv := range services {
		fmt.Fprintf(b, "| `%s` | `%s.%s.svc` | %d | %s |\n", sv.Job, sv.Name, sv.Namespace, sv.Port, sv.Owner)
	}
	fmt.Fprintf(b, "\nGrafana's sidecars load the ConfigMaps of `%s` labelled %s (dashboards) and %s (the\n"+
		"datasource the dashboards name, `%s`); Prometheus is reached at %s.\n",
		k.Namespace, labelList(k.DashboardLabels), labelList(k.DatasourceLabels), s.Settings.Grafana.Datasource.UID, k.PrometheusURL)
}

func labelList(ls map[string]string) string {
	var out []string
	for _, l := range slices.Sorted(maps.Keys(ls)) {
		out = append(out, fmt.Sprintf("`%s: %q`", l, ls[l]))
	}
	return strings.Join(out, ", ")
}
