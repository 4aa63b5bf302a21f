package verify

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os/exec"
	"path"
	"path/filepath"
	"strings"

	"github.com/go-kit/log"
	promconfig "github.com/prometheus/prometheus/config"

	"github.com/lms/lms-ops/gen/internal/memo"
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/toolbin"
)

// OperatorOracleDir is the module holding prometheus-operator's own
// translation of the Kubernetes objects (tools/operatororacle: a module of
// its own, since the operator's dependencies would raise the Prometheus and
// Alertmanager libraries the root module pins).
const OperatorOracleDir = "tools/operatororacle"

// oracleNeed is one permission the Prometheus pods need (the oracle's
// Need).
type oracleNeed struct {
	Namespace string   `json:"namespace"`
	APIGroup  string   `json:"apiGroup"`
	Resource  string   `json:"resource"`
	Verbs     []string `json:"verbs"`
}

// oracleRef names an object (the oracle's ObjectRef).
type oracleRef struct {
	File      string `json:"file"`
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// oracleResult is the oracle's Result.
type oracleResult struct {
	Operator       string            `json:"operator"`
	Errors         []string          `json:"errors"`
	Objects        []oracleRef       `json:"objects"`
	ServiceAccount oracleRef         `json:"serviceAccount"`
	Configs        map[string]string `json:"configs"`
	Rules          map[string]string `json:"rules"`
	Rejected       []string          `json:"rejected"`
	Access         []oracleAnswer    `json:"access"`
}

// oracleAnswer says whether a need is granted (the oracle's Answer).
type oracleAnswer struct {
	Need    oracleNeed `json:"need"`
	Allowed bool       `json:"allowed"`
	By      []string   `json:"by"`
	Missing []string   `json:"missing"`
}

// runOracle runs tools/operatororacle (built once and cached, as the Caddy
// checker is) on the files, asking for the access needs.
func runOracle(root string, files map[string]string, needs []oracleNeed) (*oracleResult, error) {
	bin, err := toolbin.Binary(filepath.Join(root, OperatorOracleDir), ".")
	if err != nil {
		return nil, fmt.Errorf("build %s: %w", OperatorOracleDir, err)
	}
	req, err := json.Marshal(struct {
		Files  map[string]string `json:"files"`
		Access []oracleNeed      `json:"access,omitempty"`
	}{files, needs})
	if err != nil {
		return nil, err
	}
	return oracleRuns.Do([][]byte{[]byte(bin), req}, func() (*oracleResult, error) { return oracle(bin, req) })
}

// oracleRuns remembers the oracle's answers by its binary and request.
var oracleRuns memo.Cache[*oracleResult]

// oracle runs the oracle's binary on a request.
func oracle(bin string, req []byte) (*oracleResult, error) {
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(req)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("run %s: %v: %s", OperatorOracleDir, err, strings.TrimSpace(stderr.String()))
	}
	var res oracleResult
	if err := json.Unmarshal(stdout.Bytes(), &res); err != nil {
		return nil, fmt.Errorf("read %s output: %w", OperatorOracleDir, err)
	}
	return &res, nil
}

// k8sFiles are the YAML files of ops/k8s/, by path.
func k8sFiles(m *model.Model, files output.Files) map[string]string {
	dir := path.Dir(m.Stack.Outputs.Kubernetes.Readme) + "/"
	out := map[string]string{}
	for p, data := range files {
		if strings.HasPrefix(p, dir) && strings.HasSuffix(p, ".yaml") {
			out[p] = string(data)
		}
	}
	return out
}

// translation is the operator's translation of ops/k8s/: the oracle's
// result, and each generated configuration as Prometheus v2.54.1 loads it
// in each replica's pod.
type translation struct {
	res *oracleResult
	// configs are by discovery flavour, then by replica (pod) index.
	configs map[string][]*promconfig.Config
}

// operatorTranslation runs the oracle and loads what it generated; a
// problem when either fails. Without needs it asks what every role of
// settings.kubernetes.discovery needs in the Prometheus's namespace, so
// that k8s-rbac rarely has to run it a second time.
func operatorTranslation(m *model.Model, files output.Files, needs []oracleNeed) (*translation, model.Problems) {
	if needs == nil {
		needs = presumedNeeds(m)
	}
	k := m.Stack.Outputs.Kubernetes
	prob := func(format string, args ...any) model.Problems {
		return model.Problems{{Pos: m.PosOf("", model.PathK8sPrometheusObject), Also: []string{k.Prometheus.Path},
			Scope: "stack: " + path.Dir(k.Readme), Msg: fmt.Sprintf(format, args...)}}
	}
	res, err := runOracle(m.Root, k8sFiles(m, files), needs)
	if err != nil {
		return nil, prob("%v", err)
	}
	if len(res.Errors) > 0 {
		return &translation{res: res}, nil // checkK8sOperator reports them
	}
	t := &translation{res: res, configs: map[string][]*promconfig.Config{}}
	replicas := m.Stack.Settings.Kubernetes.Prometheus.Replicas
	for flavour, text := range res.Configs {
		for i := range replicas {
			cfg, err := promconfig.Load(podConfig(text, m.Stack.Settings.Kubernetes.Name, i), false, log.NewNopLogger())
			if err != nil {
				return nil, prob("prometheus-operator %s's configuration (%s discovery) does not load: %s%v", res.Operator, flavour, rejects("Prometheus", prometheusModule), err)
			}
			t.configs[flavour] = append(t.configs[flavour], cfg)
		}
	}
	return t, nil
}

// presumedNeeds is what each role of settings.kubernetes.discovery needs in
// the namespace of the objects.
func presumedNeeds(m *model.Model) []oracleNeed {
	var uses []sdUse
	for role := range m.Stack.Settings.Kubernetes.Discovery.Roles {
		uses = append(uses, sdUse{role: role, namespace: m.Stack.Settings.Kubernetes.Namespace})
	}
	needs, _ := discoveryNeeds(m, uses)
	return needs
}

// podConfig is the configuration as replica i's Prometheus reads it: the
// operator's config reloader expands $(POD_NAME) (the replica external
// label's value, pkg/prometheus/promcfg.go buildExternalLabels) with the
// pod's name, prometheus-<name>-<i> (the StatefulSet's pods,
// pkg/prometheus/statefulset.go).
func podConfig(text, name string, i int) string {
	return strings.ReplaceAll(text, "$(POD_NAME)", fmt.Sprintf("prometheus-%s-%d", name, i))
}
