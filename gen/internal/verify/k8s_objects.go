package verify

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"reflect"
	"slices"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// The checks of ops/k8s/ read the rendered files back, as the API server
// would receive them. Each object has already been unified with the CUE
// definition generated from the operator's CRD (schema/k8s.cue); these
// checks add what a schema cannot say: the real parsers on the embedded
// rule file and Alertmanager configuration, and the references between
// objects.

// k8sObject is the part of an object the checks read.
type k8sObject struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Metadata   struct {
		Name      string            `json:"name"`
		Namespace string            `json:"namespace"`
		Labels    map[string]string `json:"labels"`
	} `json:"metadata"`
	Spec       json.RawMessage   `json:"spec"`
	Data       map[string]string `json:"data"`
	StringData map[string]string `json:"stringData"`
}

type labelSelector struct {
	MatchLabels      map[string]string `json:"matchLabels"`
	MatchExpressions []any             `json:"matchExpressions"`
}

// selects tells whether the selector selects an object with labels ls.
// lms-ops writes matchLabels only; an expression is not evaluated here.
func (s *labelSelector) selects(ls map[string]string) bool {
	if s == nil || len(s.MatchExpressions) > 0 {
		return false
	}
	for k, v := range s.MatchLabels {
		if ls[k] != v {
			return false
		}
	}
	return true
}

type prometheusSpec struct {
	Version                string         `json:"version"`
	RuleSelector           *labelSelector `json:"ruleSelector"`
	ScrapeConfigSelector   *labelSelector `json:"scrapeConfigSelector"`
	ServiceMonitorSelector *labelSelector `json:"serviceMonitorSelector"`
	PodMonitorSelector     *labelSelector `json:"podMonitorSelector"`
	Alerting               struct {
		Alertmanagers []struct {
			Namespace string `json:"namespace"`
			Name      string `json:"name"`
			Port      any    `json:"port"`
		} `json:"alertmanagers"`
	} `json:"alerting"`
}

type alertmanagerSpec struct {
	Version      string   `json:"version"`
	ConfigSecret string   `json:"configSecret"`
	Secrets      []string `json:"secrets"`
	// Any of these makes the operator generate or merge configuration
	// of its own into the verified one.
	AlertmanagerConfigSelector *labelSelector `json:"alertmanagerConfigSelector"`
	AlertmanagerConfiguration  any            `json:"alertmanagerConfiguration"`
}

type scrapeConfigSpec struct {
	JobName       string `json:"jobName"`
	MetricsPath   string `json:"metricsPath"`
	StaticConfigs []struct {
		Targets []string          `json:"targets"`
		Labels  map[string]string `json:"labels"`
	} `json:"staticConfigs"`
}

// k8sDocs reads the YAML documents of a rendered file.
func k8sDocs(data []byte) ([]k8sObject, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []k8sObject
	for {
		var doc any
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			return nil, err
		}
		var o k8sObject
		if err := json.Unmarshal(raw, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
}

// k8sSet is every object of ops/k8s/, by file.
type k8sSet struct {
	prometheus   k8sObject
	alertmanager k8sObject
	configSecret *k8sObject
	rules        []k8sObject
	scrape       []k8sObject
	dashboards   []k8sObject
}

// k8sLoads are the objects of the Verify runs under way, by their files
// (see shareK8s): eight checks read them, and each parse of ops/k8s/ costs
// as much as the environments it holds.
var k8sLoads sync.Map // uintptr (the files' map) → func() (*k8sSet, model.Problems)

// shareK8s makes the checks of one Verify run over files read ops/k8s/
// once; the returned func ends the sharing.
func shareK8s(m *model.Model, files output.Files) (done func()) {
	key := reflect.ValueOf(files).Pointer()
	k8sLoads.Store(key, sync.OnceValues(func() (*k8sSet, model.Problems) { return readK8s(m, files) }))
	return func() { k8sLoads.Delete(key) }
}

// loadK8s reads the rendered objects, once per Verify run (shareK8s); a
// file that does not read, or holds other kinds than gen writes there, is
// a problem. The set is shared: the checks only read it.
func loadK8s(m *model.Model, files output.Files) (*k8sSet, model.Problems) {
	if load, ok := k8sLoads.Load(reflect.ValueOf(files).Pointer()); ok {
		return load.(func() (*k8sSet, model.Problems))()
	}
	return readK8s(m, files)
}

// readK8s reads the rendered objects (loadK8s).
func readK8s(m *model.Model, files output.Files) (*k8sSet, model.Problems) {
	k := m.Stack.Outputs.Kubernetes
	var ps model.Problems
	read := func(p string, cuePath model.Path, kinds ...string) []k8sObject {
		docs, err := k8sDocs(files[p])
		if err != nil {
			ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + p, Msg: "does not read as YAML: " + err.Error()})
			return nil
		}
		for i, d := range docs {
			if !slices.Contains(kinds, d.Kind) {
				ps = append(ps, model.Problem{Pos: m.PosOf("", cuePath), Also: []string{p}, Scope: "stack: " + p,
					Msg: fmt.Sprintf("document %d is a %q, want one of %v", i, d.Kind, kinds)})
			}
		}
		return docs
	}
	set := &k8sSet{}
	one := func(docs []k8sObject, kind string) k8sObject {
		for _, d := range docs {
			if d.Kind == kind {
				return d
			}
		}
		return k8sObject{}
	}
	prom := read(k.Prometheus.Path, model.PathK8sPrometheus, "Prometheus")
	am := read(k.Alertmanager.Path, model.PathK8sAlertmanager, "Alertmanager", "Secret")
	set.rules = read(k.Rules.Path, model.PathK8sRules, "PrometheusRule")
	set.scrape = read(k.Scrape.Path, model.PathK8sScrape, "ScrapeConfig")
	set.dashboards = read(k.Dashboards.Path, model.PathK8sDashboards, "ConfigMap")
	set.prometheus, set.alertmanager = one(prom, "Prometheus"), one(am, "Alertmanager")
	for i := range am {
		if am[i].Kind == "Secret" {
			set.configSecret = &am[i]
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return set, nil
}

// k8sProblem is a problem of the object rendered from cuePath into file.
func k8sProblem(m *model.Model, cuePath model.Path, file, format string, args ...any) model.Problem {
	return model.Problem{Pos: m.PosOf("", cuePath), Also: []string{file}, Scope: "stack: " + path.Base(file), Msg: fmt.Sprintf(format, args...)}
}
