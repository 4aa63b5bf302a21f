package verify

import (
	"encoding/json"
	"fmt"
	"path"
	"reflect"
	"strings"

	"github.com/prometheus/prometheus/model/rulefmt"
	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sRules: each PrometheusRule's groups go through Prometheus
// 2.54.1's rulefmt (what the operator's admission webhook runs), and the
// objects' groups together are the groups of alerts.yml, rule for rule.
// Prometheus evaluates groups independently, so the objects may hold them
// in another order; each group is compared by name.
func checkK8sRules(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	p := m.Stack.Outputs.Kubernetes.Rules.Path
	prob := func(cuePath model.Path, msg string) model.Problems {
		return model.Problems{{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + path.Base(p), Msg: msg}}
	}
	got := map[string]any{}
	for i, r := range set.rules {
		cuePath := model.PathK8sRuleSpec.At(i)
		var spec struct {
			Groups []map[string]any `json:"groups"`
		}
		if err := json.Unmarshal(r.Spec, &spec); err != nil {
			return prob(cuePath, "spec does not read: "+err.Error())
		}
		data, err := yaml.Marshal(spec)
		if err != nil {
			return prob(cuePath, err.Error())
		}
		if _, errs := rulefmt.Parse(data); len(errs) > 0 {
			var msgs []string
			for _, e := range errs {
				msgs = append(msgs, e.Error())
			}
			return prob(cuePath, fmt.Sprintf("PrometheusRule %s: %s%s", r.Metadata.Name, rejects("Prometheus", prometheusModule), strings.Join(msgs, "; ")))
		}
		for _, g := range spec.Groups {
			name := fmt.Sprint(g["name"])
			if _, dup := got[name]; dup {
				return prob(cuePath, fmt.Sprintf("PrometheusRule %s holds group %s, which another object holds too: Prometheus would evaluate it twice", r.Metadata.Name, name))
			}
			got[name] = g
		}
	}
	want, ok := groupsByName(files[m.Stack.Outputs.Alerts.Path])
	if !ok {
		return nil // checkRuleFiles reports it
	}
	if raw, err := json.Marshal(want); err != nil || json.Unmarshal(raw, &want) != nil {
		return prob(model.PathK8sRuleObjects, fmt.Sprintf("%s does not read as JSON", m.Stack.Outputs.Alerts.Path))
	}
	if raw, err := json.Marshal(got); err != nil || json.Unmarshal(raw, &got) != nil {
		return prob(model.PathK8sRuleObjects, "the PrometheusRules do not read as JSON")
	}
	if !reflect.DeepEqual(got, want) {
		return prob(model.PathK8sRuleObjects, fmt.Sprintf("the PrometheusRules' groups are not the groups of the rule file %s: they must hold the same groups", m.Stack.Outputs.Alerts.Path))
	}
	return nil
}

// groupsByName are the groups of a rule file, by name; false when the file
// does not read as YAML.
func groupsByName(text []byte) (map[string]any, bool) {
	var file struct {
		Groups []map[string]any `yaml:"groups"`
	}
	if yaml.Unmarshal(text, &file) != nil {
		return nil, false
	}
	groups := map[string]any{}
	for _, g := range file.Groups {
		groups[fmt.Sprint(g["name"])] = g
	}
	return groups, true
}

// checkK8sRulesCRD: every PrometheusRule, as rendered, is what the
// operator's CRD accepts (its CUE definition, generated from the CRD).
// The CUE model holds the objects without their groups, which render
// adds from alerts.yml, so this is where the groups meet the CRD.
func checkK8sRulesCRD(m *model.Model, files output.Files) model.Problems {
	p := m.Stack.Outputs.Kubernetes.Rules.Path
	dec := yaml.NewDecoder(strings.NewReader(string(files[p])))
	var objects [][]byte
	for {
		var doc any
		if err := dec.Decode(&doc); err != nil {
			break // the end, or YAML that k8s-objects reports
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return nil // k8s-objects reports it
		}
		objects = append(objects, raw)
	}
	errs, err := model.Conforms(m.Root, model.PrometheusRuleCRD, model.PrometheusRuleDef, objects)
	if err != nil {
		return model.Problems{{Pos: m.PosOf("", model.PathK8sRuleObjects), Also: []string{p}, Scope: "stack: " + path.Base(p), Msg: err.Error()}}
	}
	var ps model.Problems
	for i, e := range errs {
		if e != "" {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathK8sRuleSpec.At(i)), Also: []string{p}, Scope: "stack: " + path.Base(p),
				Msg: fmt.Sprintf("PrometheusRule %d: prometheus-operator's CRD (%s) refuses it: %s", i, model.PrometheusRuleCRD, e)})
		}
	}
	return ps
}
