package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus-operator/prometheus-operator/pkg/operator"
)

const promObject = `apiVersion: monitoring.coreos.com/v1
kind: Prometheus
metadata:
  name: lms
  namespace: monitoring
spec:
  version: v2.54.1
  serviceAccountName: prometheus-lms
  serviceDiscoveryRole: EndpointSlice
  scrapeConfigSelector:
    matchLabels:
      app: lms
  alerting:
    alertmanagers:
      - name: alertmanager-operated
        namespace: monitoring
        port: web
`

const rbac = `apiVersion: v1
kind: ServiceAccount
metadata:
  name: prometheus-lms
  namespace: monitoring
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: lms-prometheus
  namespace: monitoring
rules:
  - apiGroups: [""]
    resources: [endpoints]
    verbs: [get, list, watch]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: lms-prometheus
  namespace: monitoring
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: lms-prometheus
subjects:
  - kind: ServiceAccount
    name: prometheus-lms
    namespace: monitoring
`

const scrape = `apiVersion: monitoring.coreos.com/v1alpha1
kind: ScrapeConfig
metadata:
  name: api
  namespace: monitoring
  labels:
    app: lms
spec:
  jobName: lms_api
  staticConfigs:
    - targets: [lms-api.lms-prod.svc:8000]
`

// TestTranslate: the operator's generator runs offline on the objects, in
// both discovery flavours, and uses the jobName as the job label.
func TestTranslate(t *testing.T) {
	res := translate(Request{Files: map[string]string{"p.yaml": promObject, "s.yaml": scrape, "r.yaml": rbac}})
	if len(res.Errors) > 0 || len(res.Rejected) > 0 {
		t.Fatalf("errors %v, rejected %v", res.Errors, res.Rejected)
	}
	for flavour, role := range map[string]string{"endpoints": "role: endpoints", "endpointslice": "role: endpointslice"} {
		cfg := res.Configs[flavour]
		for _, want := range []string{role, "replacement: lms_api", "prometheus: monitoring/lms", "regex: prometheus_replica"} {
			if !strings.Contains(cfg, want) {
				t.Errorf("%s config lacks %q:\n%s", flavour, want, cfg)
			}
		}
	}
	if res.ServiceAccount.Name != "prometheus-lms" {
		t.Errorf("service account %v", res.ServiceAccount)
	}
}

// TestStrictDecoding: a misspelt field is refused, as the API server's
// strict field validation refuses it.
func TestStrictDecoding(t *testing.T) {
	res := translate(Request{Files: map[string]string{"p.yaml": strings.Replace(promObject, "  version:", "  versoin:", 1)}})
	if len(res.Errors) == 0 || !strings.Contains(res.Errors[0], `unknown field "versoin"`) {
		t.Fatalf("errors %v, want the unknown field", res.Errors)
	}
}

// TestAuthorize: a Role bound to the account grants what its rules cover,
// and nothing else; without the binding, nothing.
func TestAuthorize(t *testing.T) {
	need := func(res string, verbs ...string) Need {
		return Need{Namespace: "monitoring", Resource: res, Verbs: verbs}
	}
	needs := []Need{need("endpoints", "list", "watch"), need("pods", "list"), need("endpoints", "delete")}
	res := translate(Request{Files: map[string]string{"p.yaml": promObject, "r.yaml": rbac}, Access: needs})
	got := []bool{res.Access[0].Allowed, res.Access[1].Allowed, res.Access[2].Allowed}
	if got[0] != true || got[1] != false || got[2] != false {
		t.Errorf("allowed %v, want [true false false]; %+v", got, res.Access)
	}
	unbound := strings.Replace(rbac, "    name: prometheus-lms\n    namespace", "    name: default\n    namespace", 1)
	res = translate(Request{Files: map[string]string{"p.yaml": promObject, "r.yaml": unbound}, Access: needs[:1]})
	if res.Access[0].Allowed {
		t.Errorf("allowed through a binding to another account: %+v", res.Access)
	}
}

// TestRuleConfigMapNames: the rule files fill a ConfigMap up to the
// operator's limit, then the next one.
func TestRuleConfigMapNames(t *testing.T) {
	half := strings.Repeat("x", operator.MaxConfigMapDataSize/2)
	for _, c := range []struct {
		files map[string]string
		want  int
	}{
		{map[string]string{}, 1},
		{map[string]string{"a": "groups: []"}, 1},
		{map[string]string{"a": half, "b": half}, 1},
		{map[string]string{"a": half, "b": half, "c": "x"}, 2},
		{map[string]string{"a": half + half, "b": half + half, "c": half}, 3},
	} {
		if got := ruleConfigMapNames("lms", c.files); len(got) != c.want || got[len(got)-1] != "prometheus-lms-rulefiles-"+strconv.Itoa(c.want-1) {
			t.Errorf("%d files: %v, want %d ConfigMaps", len(c.files), got, c.want)
		}
	}
}
