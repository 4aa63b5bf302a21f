package main

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	"github.com/prometheus-operator/prometheus-operator/pkg/namespacelabeler"
	"github.com/prometheus-operator/prometheus-operator/pkg/operator"
	prompkg "github.com/prometheus-operator/prometheus-operator/pkg/prometheus"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/client-go/tools/record"
)

// Request is what gen sends.
type Request struct {
	// Files are the generated files of ops/k8s/ (path → content); every
	// YAML document in them is decoded.
	Files map[string]string `json:"files"`
	// Access lists what the Prometheus pods must be allowed to do; each
	// is answered in Result.Access.
	Access []Need `json:"access,omitempty"`
}

// Result is what the oracle reports.
type Result struct {
	// Operator is the prometheus-operator module version linked.
	Operator string `json:"operator"`
	// Errors are documents that do not decode strictly into their API
	// type, and anything else that stops the translation.
	Errors []string `json:"errors"`
	// Objects are the decoded objects, in file order.
	Objects []ObjectRef `json:"objects"`
	// ServiceAccount is the service account the Prometheus pods run as
	// (spec.serviceAccountName; "default" when unset, as Kubernetes does).
	ServiceAccount ObjectRef `json:"serviceAccount"`
	// Configs are the generated prometheus.yaml, by endpoint discovery
	// flavour ("endpoints", "endpointslice").
	Configs map[string]string `json:"configs"`
	// Rules are the rule files the operator writes into its rule
	// ConfigMaps, by file name.
	Rules map[string]string `json:"rules"`
	// Rejected are the selected objects the operator skips, with why (the
	// InvalidConfiguration events it records).
	Rejected []string `json:"rejected"`
	// Access answers Request.Access, in order.
	Access []Answer `json:"access,omitempty"`
}

// ObjectRef names one object.
type ObjectRef struct {
	File      string `json:"file,omitempty"`
	Kind      string `json:"kind,omitempty"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
}

// translate runs the operator's selection and generation on the files.
func translate(req Request) Result {
	res := Result{Operator: operatorVersion(), Configs: map[string]string{}, Rules: map[string]string{}}
	objs, errs := decodeFiles(req.Files)
	res.Errors = append(res.Errors, errs...)
	if len(errs) > 0 {
		return res // the operator would see other objects than these
	}
	for _, o := range objs {
		res.Objects = append(res.Objects, o.ref)
	}
	var proms []*monitoringv1.Prometheus
	for _, o := range objs {
		if p, ok := o.obj.(*monitoringv1.Prometheus); ok {
			proms = append(proms, p)
		}
	}
	if len(proms) != 1 {
		res.Errors = append(res.Errors, fmt.Sprintf("want exactly one Prometheus object, found %d", len(proms)))
		return res
	}
	p := proms[0]
	res.ServiceAccount = ObjectRef{Kind: "ServiceAccount", Namespace: p.Namespace, Name: serviceAccountName(p)}
	if err := generate(p, objs, &res); err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	if len(req.Access) > 0 {
		res.Access = authorize(objs, res.ServiceAccount, req.Access)
	}
	return res
}

// serviceAccountName is the account the Prometheus pods run as: the
// operator copies spec.serviceAccountName into the StatefulSet's pod
// template (pkg/prometheus/server/statefulset.go), and a pod without one
// runs as the namespace's "default" account.
func serviceAccountName(p *monitoringv1.Prometheus) string {
	if p.Spec.ServiceAccountName != "" {
		return p.Spec.ServiceAccountName
	}
	return "default"
}

// generate fills res.Rules, res.Configs and res.Rejected as the operator's
// Prometheus controller does for p.
func generate(p *monitoringv1.Prometheus, objs []object, res *Result) (err error) {
	defer func() {
		// A reference the offline store cannot resolve reaches the nil
		// Kubernetes client; report it rather than crash.
		if r := recover(); r != nil {
			err = fmt.Errorf("the operator's generator failed: %v", r)
		}
	}()
	ctx := context.Background()
	logger := slog.New(slog.DiscardHandler)
	recorder := record.NewFakeRecorder(1024)
	defer func() { res.Rejected = append(res.Rejected, drain(recorder)...) }()

	// Secrets and ConfigMaps among the files are the store's only source:
	// nothing is fetched from a cluster.
	var stored []any
	for _, o := range objs {
		if o.ref.Kind == "Secret" || o.ref.Kind == "ConfigMap" {
			stored = append(stored, o.obj)
		}
	}
	store := assets.NewTestStoreBuilder(stored...)

	rules, names, err := selectRules(p, objs, recorder, logger)
	if err != nil {
		return err
	}
	maps.Copy(res.Rules, rules)

	selector, err := prompkg.NewResourceSelector(logger, p, store, nil, operator.NewMetrics(prometheus.NewRegistry()), recorder)
	if err != nil {
		return err
	}
	if p.Spec.ScrapeConfigNamespaceSelector != nil || p.Spec.ServiceMonitorNamespaceSelector != nil ||
		p.Spec.PodMonitorNamespaceSelector != nil || p.Spec.ProbeNamespaceSelector != nil {
		return fmt.Errorf("a namespace selector needs the cluster's namespaces; the oracle reads only the Prometheus's own namespace")
	}
	smons, err := selector.SelectServiceMonitors(ctx, lister[*monitoringv1.ServiceMonitor](objs))
	if err != nil {
		return err
	}
	pmons, err := selector.SelectPodMonitors(ctx, lister[*monitoringv1.PodMonitor](objs))
	if err != nil {
		return err
	}
	probes, err := selector.SelectProbes(ctx, lister[*monitoringv1.Probe](objs))
	if err != nil {
		return err
	}
	scrape, err := selector.SelectScrapeConfigs(ctx, lister[*monitoringv1alpha1.ScrapeConfig](objs))
	if err != nil {
		return err
	}
	flavours := map[string][]prompkg.ConfigGeneratorOption{
		"endpoints":     nil,
		"endpointslice": {prompkg.WithEndpointSliceSupport()},
	}
	for _, name := range slices.Sorted(maps.Keys(flavours)) {
		cg, err := prompkg.NewConfigGenerator(logger, p, flavours[name]...)
		if err != nil {
			return err
		}
		conf, err := cg.GenerateServerConfiguration(p, smons.ValidResources(), pmons.ValidResources(), probes.ValidResources(),
			scrape.ValidResources(), store, nil, nil, nil, names)
		if err != nil {
			return fmt.Errorf("%s flavour: %w", name, err)
		}
		res.Configs[name] = string(conf)
	}
	return nil
}

// selectRules selects p's PrometheusRules with the operator's rule
// selector and returns the rule files it would write, with the names of the
// rule ConfigMaps that hold them ("prometheus-<name>-rulefiles-<i>").
func selectRules(p *monitoringv1.Prometheus, objs []object, rec record.EventRecorder, logger *slog.Logger) (map[string]string, []string, error) {
	if p.Spec.RuleNamespaceSelector != nil {
		return nil, nil, fmt.Errorf("spec.ruleNamespaceSelector needs the cluster's namespaces; the oracle reads only the Prometheus's own namespace")
	}
	inf, err := ruleInformer(objs)
	if err != nil {
		return nil, nil, err
	}
	// As createOrUpdateRuleConfigMaps (pkg/prometheus/server/rules.go).
	nsLabeler := namespacelabeler.New(p.Spec.EnforcedNamespaceLabel, p.Spec.ExcludedFromEnforcement, true)
	version := operator.StringValOrDefault(p.Spec.Version, operator.DefaultPrometheusVersion)
	sel, err := operator.NewPrometheusRuleSelector(operator.PrometheusFormat, version, p.Spec.RuleSelector, nsLabeler, inf, rec, logger)
	if err != nil {
		return nil, nil, err
	}
	rules, _, err := sel.Select([]string{p.Namespace})
	if err != nil {
		return nil, nil, err
	}
	return rules, ruleConfigMapNames(p.Name, rules), nil
}

// ruleConfigMapNames are the names of the ConfigMaps the operator packs
// the rule files into, as makeRulesConfigMaps (pkg/prometheus/server/
// rules.go, unexported there) packs them: by file name, a new ConfigMap
// whenever the next file would take the current one past
// operator.MaxConfigMapDataSize.
func ruleConfigMapNames(prometheus string, files map[string]string) []string {
	names := []string{fmt.Sprintf("prometheus-%s-rulefiles-0", prometheus)}
	size := 0
	for _, f := range slices.Sorted(maps.Keys(files)) {
		if size+len(files[f]) > operator.MaxConfigMapDataSize {
			names = append(names, fmt.Sprintf("prometheus-%s-rulefiles-%d", prometheus, len(names)))
			size = 0
		}
		size += len(files[f])
	}
	return names
}

// drain returns the warnings the operator recorded (objects it rejected).
func drain(rec *record.FakeRecorder) []string {
	var out []string
	for {
		select {
		case e := <-rec.Events:
			out = append(out, e)
		default:
			return out
		}
	}
}

// operatorVersion is the prometheus-operator module version linked.
func operatorVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/prometheus-operator/prometheus-operator" {
				return d.Version
			}
		}
	}
	return "(unknown)"
}

// errorf formats a problem with a document.
func errorf(file string, doc int, format string, args ...any) string {
	return fmt.Sprintf("%s: document %d: %s", file, doc, strings.TrimSpace(fmt.Sprintf(format, args...)))
}
