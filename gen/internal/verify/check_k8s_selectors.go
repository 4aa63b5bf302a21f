package verify

import (
	"encoding/json"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkK8sSelectors: the Prometheus's selectors are explicit label
// selectors, and they select every PrometheusRule and ScrapeConfig: in
// the Prometheus's namespace, with labels they match.
func checkK8sSelectors(m *model.Model, files output.Files) model.Problems {
	set, _ := loadK8s(m, files)
	if set == nil {
		return nil // checkK8sObjects reports why
	}
	var spec prometheusSpec
	if json.Unmarshal(set.prometheus.Spec, &spec) != nil {
		return nil // checkK8sPrometheus reports it
	}
	o := m.Stack.Outputs.Kubernetes
	var ps model.Problems
	for name, sel := range map[string]*labelSelector{"ruleSelector": spec.RuleSelector, "scrapeConfigSelector": spec.ScrapeConfigSelector,
		"serviceMonitorSelector": spec.ServiceMonitorSelector, "podMonitorSelector": spec.PodMonitorSelector} {
		if sel == nil || len(sel.MatchLabels) == 0 {
			ps = append(ps, k8sProblem(m, model.PathK8sPrometheusSpec, o.Prometheus.Path, "spec.%s is not an explicit label selector: unset selects nothing, empty selects every object in the namespace", name))
		}
	}
	ns := set.prometheus.Metadata.Namespace
	selected := func(obj k8sObject, sel *labelSelector, selector string, cuePath model.Path, file string) {
		switch {
		case obj.Metadata.Namespace != ns:
			ps = append(ps, k8sProblem(m, cuePath, file, "%s %s is in namespace %q; the Prometheus (namespace %q) only reads its own", obj.Kind, obj.Metadata.Name, obj.Metadata.Namespace, ns))
		case !sel.selects(obj.Metadata.Labels):
			ps = append(ps, k8sProblem(m, cuePath, file, "%s %s (labels %v) is not selected by the Prometheus's %s", obj.Kind, obj.Metadata.Name, obj.Metadata.Labels, selector))
		}
	}
	for i, r := range set.rules {
		selected(r, spec.RuleSelector, "ruleSelector", model.PathK8sRuleMetadata.At(i), o.Rules.Path)
	}
	for i, sc := range set.scrape {
		selected(sc, spec.ScrapeConfigSelector, "scrapeConfigSelector", model.PathK8sScrapeMetadata.At(i), o.Scrape.Path)
	}
	return ps
}
