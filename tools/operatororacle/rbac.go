package main

import (
	"fmt"

	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/component-helpers/auth/rbac/validation"
)

// Need is one permission the Prometheus pods must have: verbs on a
// resource of an API group, in a namespace.
type Need struct {
	Namespace string   `json:"namespace"`
	APIGroup  string   `json:"apiGroup"`
	Resource  string   `json:"resource"`
	Verbs     []string `json:"verbs"`
}

// Answer says whether a Need is granted, and by which bindings.
type Answer struct {
	Need    Need     `json:"need"`
	Allowed bool     `json:"allowed"`
	By      []string `json:"by,omitempty"`
	// Missing are the verbs of the need no bound rule covers.
	Missing []string `json:"missing,omitempty"`
}

// authorize answers each need for the service account sa from the RBAC
// objects among objs: the rules of every Role or ClusterRole a RoleBinding
// of the need's namespace, or a ClusterRoleBinding, binds to sa, as the
// API server's RBAC authorizer collects them; whether they cover the need is
// Kubernetes' own rule coverage (validation.Covers).
func authorize(objs []object, sa ObjectRef, needs []Need) []Answer {
	var out []Answer
	for _, n := range needs {
		rules, by := boundRules(objs, sa, n.Namespace)
		need := rbacv1.PolicyRule{APIGroups: []string{n.APIGroup}, Resources: []string{n.Resource}, Verbs: n.Verbs}
		ok, missing := validation.Covers(rules, []rbacv1.PolicyRule{need})
		a := Answer{Need: n, Allowed: ok, By: by}
		for _, m := range missing {
			a.Missing = append(a.Missing, m.Verbs...)
		}
		out = append(out, a)
	}
	return out
}

// boundRules are the rules bound to sa in namespace ns, with the bindings
// that bind them.
func boundRules(objs []object, sa ObjectRef, ns string) ([]rbacv1.PolicyRule, []string) {
	roles := map[string]*rbacv1.Role{}
	clusterRoles := map[string]*rbacv1.ClusterRole{}
	for _, o := range objs {
		switch r := o.obj.(type) {
		case *rbacv1.Role:
			roles[r.Namespace+"/"+r.Name] = r
		case *rbacv1.ClusterRole:
			clusterRoles[r.Name] = r
		}
	}
	var rules []rbacv1.PolicyRule
	var by []string
	bind := func(binding string, ref rbacv1.RoleRef, roleNS string) {
		switch ref.Kind {
		case "Role":
			if r := roles[roleNS+"/"+ref.Name]; r != nil && roleNS != "" {
				rules = append(rules, r.Rules...)
				by = append(by, fmt.Sprintf("%s → Role %s/%s", binding, roleNS, ref.Name))
			}
		case "ClusterRole":
			if r := clusterRoles[ref.Name]; r != nil {
				rules = append(rules, r.Rules...)
				by = append(by, fmt.Sprintf("%s → ClusterRole %s", binding, ref.Name))
			}
		}
	}
	for _, o := range objs {
		switch b := o.obj.(type) {
		case *rbacv1.RoleBinding:
			if b.Namespace == ns && bindsTo(b.Subjects, sa, b.Namespace) {
				bind("RoleBinding "+b.Namespace+"/"+b.Name, b.RoleRef, b.Namespace)
			}
		case *rbacv1.ClusterRoleBinding:
			if bindsTo(b.Subjects, sa, "") {
				bind("ClusterRoleBinding "+b.Name, b.RoleRef, "")
			}
		}
	}
	return rules, by
}

// bindsTo tells whether subjects name the service account sa (a
// ServiceAccount subject without a namespace means the binding's own,
// as the API server reads it).
func bindsTo(subjects []rbacv1.Subject, sa ObjectRef, bindingNS string) bool {
	for _, s := range subjects {
		ns := s.Namespace
		if ns == "" {
			ns = bindingNS
		}
		if s.Kind == rbacv1.ServiceAccountKind && s.Name == sa.Name && ns == sa.Namespace {
			return true
		}
	}
	return false
}
