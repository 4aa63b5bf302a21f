package verify

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	promconfig "github.com/prometheus/prometheus/config"
	"github.com/prometheus/prometheus/discovery"
	"github.com/prometheus/prometheus/discovery/kubernetes"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// sdUse is one Kubernetes service discovery the generated configuration
// runs: its role, the namespace it watches ("" for every namespace) and
// where in the configuration it is.
type sdUse struct {
	role, namespace, where string
}

// checkK8sRBAC: every Kubernetes service discovery the operator's
// configuration runs (the Alertmanagers of spec.alerting, any
// kubernetes_sd_configs of a scrape job), in either discovery flavour, is
// allowed to the service account the Prometheus pods run as. The roles and
// namespaces are read off the configuration the operator generates
// (tools/operatororacle), loaded by Prometheus v2.54.1; what each role
// reads is settings.kubernetes.discovery; whether the Roles bound to the
// account grant it is decided by Kubernetes' own RBAC rule coverage, in the
// oracle.
func checkK8sRBAC(m *model.Model, files output.Files) model.Problems {
	t, _ := operatorTranslation(m, files, nil)
	if t == nil {
		return nil // checkK8sOperator reports why
	}
	return k8sRBAC(m, files, t)
}

// k8sRBAC is checkK8sRBAC on a translation.
func k8sRBAC(m *model.Model, files output.Files, t *translation) model.Problems {
	if t.configs == nil {
		return nil // k8sOperator reports why
	}
	k := m.Stack.Settings.Kubernetes
	ns := m.Stack.Settings.Kubernetes.Namespace
	uses := discoveryUses(t.configs, ns)
	needs, ps := discoveryNeeds(m, uses)
	if len(needs) == 0 {
		return ps
	}
	answers, ok := answersFor(t.res.Access, needs)
	if !ok {
		var more model.Problems
		if t, more = operatorTranslation(m, files, needs); t == nil {
			return append(ps, more...)
		}
		answers, _ = answersFor(t.res.Access, needs)
	}
	sa := t.res.ServiceAccount
	o := m.Stack.Outputs.Kubernetes
	scope := fmt.Sprintf("stack: %s: service account %s/%s", path.Base(o.RBAC.Path), sa.Namespace, sa.Name)
	if !slices.ContainsFunc(t.res.Objects, func(r oracleRef) bool {
		return r.Kind == "ServiceAccount" && r.Namespace == sa.Namespace && r.Name == sa.Name
	}) && sa.Name != "default" {
		ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathK8sPrometheusAccount), Also: []string{o.Prometheus.Path}, Scope: scope,
			Msg: fmt.Sprintf("the Prometheus runs as service account %s, which no ServiceAccount object in %s creates: its pods would not start", sa.Name, path.Dir(o.Readme))})
	}
	for _, r := range t.res.Objects {
		if r.Kind == "ClusterRole" || r.Kind == "ClusterRoleBinding" {
			ps = append(ps, model.Problem{Pos: m.PosOf("", k8sCuePath(m, r.File)), Also: []string{r.File}, Scope: scope,
				Msg: fmt.Sprintf("%s %s grants cluster-wide; the Prometheus may only read its namespace %s", r.Kind, r.Name, k.Namespace)})
		}
	}
	for _, a := range answers {
		if a.Allowed {
			continue
		}
		n := a.Need
		why := strings.Join(usesOf(m, uses, n), "; ")
		msg := fmt.Sprintf("the Prometheus's %s needs %s on %s in namespace %s; no rule bound to its service account grants %s (bindings: %s)",
			why, strings.Join(n.Verbs, ", "), resourceName(n), namespaceName(n.Namespace), strings.Join(a.Missing, ", "), boundList(a.By))
		ps = append(ps, model.Problem{Pos: m.PosOf("", grantPath(m, sa.Name, n, len(a.By) > 0)), Also: []string{o.RBAC.Path}, Scope: scope, Msg: msg})
	}
	return ps
}

// answersFor picks the answers to needs; false when one was not asked.
func answersFor(all []oracleAnswer, needs []oracleNeed) ([]oracleAnswer, bool) {
	var out []oracleAnswer
	for _, n := range needs {
		i := slices.IndexFunc(all, func(a oracleAnswer) bool {
			return a.Need.Namespace == n.Namespace && a.Need.APIGroup == n.APIGroup && a.Need.Resource == n.Resource && slices.Equal(a.Need.Verbs, n.Verbs)
		})
		if i < 0 {
			return nil, false
		}
		out = append(out, all[i])
	}
	return out, true
}

// discoveryUses reads every Kubernetes service discovery off the
// configurations (each discovery flavour's): the alerting section's and the
// scrape jobs'.
func discoveryUses(configs map[string][]*promconfig.Config, ownNamespace string) []sdUse {
	var uses []sdUse
	add := func(where string, dcs discovery.Configs) {
		for _, dc := range dcs {
			sd, ok := dc.(*kubernetes.SDConfig)
			if !ok {
				continue
			}
			nss := slices.Clone(sd.NamespaceDiscovery.Names)
			if sd.NamespaceDiscovery.IncludeOwnNamespace {
				nss = append(nss, ownNamespace)
			}
			if len(nss) == 0 {
				nss = []string{""} // every namespace
			}
			for _, ns := range nss {
				u := sdUse{role: string(sd.Role), namespace: ns, where: where}
				if !slices.Contains(uses, u) {
					uses = append(uses, u)
				}
			}
		}
	}
	for _, flavour := range slices.Sorted(maps.Keys(configs)) {
		cfg := configs[flavour][0]
		for i, am := range cfg.AlertingConfig.AlertmanagerConfigs {
			add(fmt.Sprintf("alerting.alertmanagers[%d]", i), am.ServiceDiscoveryConfigs)
		}
		for _, sc := range cfg.ScrapeConfigs {
			add("scrape job "+sc.JobName, sc.ServiceDiscoveryConfigs)
		}
	}
	return uses
}

// discoveryNeeds turns the uses into permissions, from
// settings.kubernetes.discovery; a role it does not describe is a problem.
func discoveryNeeds(m *model.Model, uses []sdUse) ([]oracleNeed, model.Problems) {
	d := m.Stack.Settings.Kubernetes.Discovery
	var needs []oracleNeed
	var ps model.Problems
	for _, u := range uses {
		groups, ok := d.Roles[u.role]
		if !ok {
			ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathSettingsK8sDiscoveryRoles), Scope: "stack: " + path.Base(m.Stack.Outputs.Kubernetes.RBAC.Path),
				Msg: fmt.Sprintf("%s discovers role %s, whose reads settings.kubernetes.discovery.roles does not list", u.where, u.role)})
			continue
		}
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			for _, r := range groups[g] {
				n := oracleNeed{Namespace: u.namespace, APIGroup: g, Resource: r, Verbs: d.Verbs}
				if !slices.ContainsFunc(needs, func(x oracleNeed) bool { return x.Namespace == n.Namespace && x.APIGroup == g && x.Resource == r }) {
					needs = append(needs, n)
				}
			}
		}
	}
	return needs, ps
}

// usesOf are the discoveries that need n.
func usesOf(m *model.Model, uses []sdUse, n oracleNeed) []string {
	roles := m.Stack.Settings.Kubernetes.Discovery.Roles
	var out []string
	for _, u := range uses {
		if u.namespace == n.Namespace && slices.Contains(roles[u.role][n.APIGroup], n.Resource) {
			out = append(out, fmt.Sprintf("%s (kubernetes_sd_configs role %s)", u.where, u.role))
		}
	}
	return out
}

func resourceName(n oracleNeed) string {
	if n.APIGroup == "" {
		return n.Resource
	}
	return n.Resource + "." + n.APIGroup
}

func namespaceName(ns string) string {
	if ns == "" {
		return "(every namespace: cluster-wide)"
	}
	return ns
}

func boundList(by []string) string {
	if len(by) == 0 {
		return "none"
	}
	return strings.Join(by, ", ")
}

// grantPath is where the missing grant belongs: the Prometheus's spec when
// its pods run as another account than settings.kubernetes.prometheus
// names; the RoleBinding's subjects when nothing is bound to the account;
// else the Role's rule for the resource (its verbs), or its rules.
func grantPath(m *model.Model, sa string, n oracleNeed, bound bool) model.Path {
	r := m.Stack.Outputs.Kubernetes.RBAC
	switch {
	case sa != m.Stack.Settings.Kubernetes.Prometheus.ServiceAccount:
		return model.PathK8sPrometheusSpec
	case !bound || len(r.Role) == 0:
		return model.PathK8sRoleBindingSubjects
	}
	var role struct {
		Rules []struct {
			APIGroups []string `json:"apiGroups"`
			Resources []string `json:"resources"`
		} `json:"rules"`
	}
	if json.Unmarshal(r.Role, &role) != nil {
		return model.PathK8sRole
	}
	for i, rule := range role.Rules {
		if slices.Contains(rule.APIGroups, n.APIGroup) && slices.Contains(rule.Resources, n.Resource) {
			return model.PathK8sRoleRuleVerbs.At(i)
		}
	}
	return model.PathK8sRoleRules
}
