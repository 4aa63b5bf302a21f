// Command operatororacle runs prometheus-operator v0.85.0's own
// translation of the objects of ops/k8s/, offline, as the operator does in a
// cluster: it is the oracle gen holds the Kubernetes output to.
//
// It reads a JSON Request on stdin: the generated files (path → content).
// Every document is decoded strictly (unknown or misspelt fields fail) into
// the API types the operator and the API server use: the operator's
// monitoring.coreos.com types, core/v1 and rbac/v1. Then, as the operator's
// Prometheus controller does (pkg/prometheus/server/operator.go, sync and
// createOrUpdateConfigurationSecret; pkg/prometheus/server/rules.go):
//
//   - it selects the ScrapeConfigs with the operator's ResourceSelector
//     (pkg/prometheus/resource_selector.go), listing them through a
//     client-go cache as its informers do;
//   - it selects the PrometheusRules with the operator's
//     PrometheusRuleSelector (pkg/operator/rules.go) and keeps the rule file
//     contents it would write into its rule ConfigMaps;
//   - it generates the Prometheus configuration with the operator's
//     ConfigGenerator (pkg/prometheus/promcfg.go, GenerateServerConfiguration),
//     once for each endpoint discovery flavour the operator may choose: the
//     Endpoints API, and the EndpointSlice API when the cluster serves it and
//     the operator is told to use it (WithEndpointSliceSupport).
//
// When the request lists Access needs, it also says, for each, whether the
// RBAC objects among the files grant it to the service account the
// Prometheus object names, with Kubernetes' own rule coverage
// (k8s.io/component-helpers/auth/rbac/validation.Covers, the check the API
// server runs against privilege escalation).
//
// It lives in a module of its own: the operator requires Prometheus v0.305
// and prometheus/common v0.65, which would raise the versions the root
// module pins (README, "Module layout"). It prints a JSON Result on stdout
// and exits 0 whenever it could run; what the objects get wrong is in the
// Result.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "operatororacle:", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req Request
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	res := translate(req)
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
