package main

import (
	"bufio"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus-operator/prometheus-operator/pkg/informers"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/sets"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"
)

// object is one decoded document.
type object struct {
	ref ObjectRef
	obj runtime.Object
}

// kinds are the API types a document may decode into, by apiVersion and
// kind: the operator's own types for its CRDs, core/v1 and rbac/v1 for the
// rest.
var kinds = map[schema.GroupVersionKind]func() runtime.Object{
	monitoringv1.SchemeGroupVersion.WithKind("Prometheus"):         func() runtime.Object { return &monitoringv1.Prometheus{} },
	monitoringv1.SchemeGroupVersion.WithKind("Alertmanager"):       func() runtime.Object { return &monitoringv1.Alertmanager{} },
	monitoringv1.SchemeGroupVersion.WithKind("PrometheusRule"):     func() runtime.Object { return &monitoringv1.PrometheusRule{} },
	monitoringv1.SchemeGroupVersion.WithKind("ServiceMonitor"):     func() runtime.Object { return &monitoringv1.ServiceMonitor{} },
	monitoringv1.SchemeGroupVersion.WithKind("PodMonitor"):         func() runtime.Object { return &monitoringv1.PodMonitor{} },
	monitoringv1.SchemeGroupVersion.WithKind("Probe"):              func() runtime.Object { return &monitoringv1.Probe{} },
	monitoringv1alpha1.SchemeGroupVersion.WithKind("ScrapeConfig"): func() runtime.Object { return &monitoringv1alpha1.ScrapeConfig{} },
	corev1.SchemeGroupVersion.WithKind("Secret"):                   func() runtime.Object { return &corev1.Secret{} },
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):                func() runtime.Object { return &corev1.ConfigMap{} },
	corev1.SchemeGroupVersion.WithKind("Service"):                  func() runtime.Object { return &corev1.Service{} },
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"):           func() runtime.Object { return &corev1.ServiceAccount{} },
	rbacv1.SchemeGroupVersion.WithKind("Role"):                     func() runtime.Object { return &rbacv1.Role{} },
	rbacv1.SchemeGroupVersion.WithKind("RoleBinding"):              func() runtime.Object { return &rbacv1.RoleBinding{} },
	rbacv1.SchemeGroupVersion.WithKind("ClusterRole"):              func() runtime.Object { return &rbacv1.ClusterRole{} },
	rbacv1.SchemeGroupVersion.WithKind("ClusterRoleBinding"):       func() runtime.Object { return &rbacv1.ClusterRoleBinding{} },
}

// decodeFiles decodes every YAML document of every .yaml file, strictly:
// sigs.k8s.io/yaml (what kubectl and client-go read YAML with) refusing
// unknown and duplicate fields, as the API server's strict field validation
// does.
func decodeFiles(files map[string]string) ([]object, []string) {
	var objs []object
	var errs []string
	for _, file := range slices.Sorted(maps.Keys(files)) {
		if !strings.HasSuffix(file, ".yaml") {
			continue
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(files[file])))
		for doc := 0; ; doc++ {
			raw, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				errs = append(errs, errorf(file, doc, "%v", err))
				break
			}
			o, err := decodeDoc(raw)
			if err != nil {
				errs = append(errs, errorf(file, doc, "%v", err))
				continue
			}
			if o == nil {
				doc-- // a comment-only document (the generated header)
				continue
			}
			o.ref.File = file
			objs = append(objs, *o)
		}
	}
	return objs, errs
}

// decodeDoc decodes one document into its API type; nil for an empty one.
func decodeDoc(raw []byte) (*object, error) {
	var tm metav1.TypeMeta
	if err := yaml.Unmarshal(raw, &tm); err != nil {
		return nil, err
	}
	if tm.APIVersion == "" && tm.Kind == "" {
		var v any
		if err := yaml.Unmarshal(raw, &v); err != nil || v == nil {
			return nil, err
		}
	}
	gvk := schema.FromAPIVersionAndKind(tm.APIVersion, tm.Kind)
	newObj := kinds[gvk]
	if newObj == nil {
		return nil, errors.New("apiVersion " + tm.APIVersion + " kind " + tm.Kind + " is not an object lms-ops generates")
	}
	obj := newObj()
	if err := yaml.UnmarshalStrict(raw, obj); err != nil {
		return nil, err
	}
	meta := obj.(metav1.Object)
	return &object{ref: ObjectRef{Kind: tm.Kind, Namespace: meta.GetNamespace(), Name: meta.GetName()}, obj: obj}, nil
}

// indexer is a client-go cache holding the objects of type T, indexed by
// namespace as the operator's informers are.
func indexer[T runtime.Object](objs []object) (cache.Indexer, error) {
	idx := cache.NewIndexer(cache.MetaNamespaceKeyFunc, cache.Indexers{cache.NamespaceIndex: cache.MetaNamespaceIndexFunc})
	for _, o := range objs {
		if t, ok := o.obj.(T); ok {
			if err := idx.Add(t); err != nil {
				return nil, err
			}
		}
	}
	return idx, nil
}

// lister lists the objects of type T as the operator's informers do
// (ListAllByNamespace of pkg/informers), from a client-go cache.
func lister[T runtime.Object](objs []object) func(string, labels.Selector, cache.AppendFunc) error {
	return func(ns string, sel labels.Selector, appendFn cache.AppendFunc) error {
		idx, err := indexer[T](objs)
		if err != nil {
			return err
		}
		return cache.ListAllByNamespace(idx, ns, sel, appendFn)
	}
}

// ruleInformer is the operator's composite informer over the
// PrometheusRules among objs, without a cluster behind it: a shared
// informer that is never started, whose cache holds them.
func ruleInformer(objs []object) (*informers.ForResource, error) {
	idx, err := indexer[*monitoringv1.PrometheusRule](objs)
	if err != nil {
		return nil, err
	}
	gvr := monitoringv1.SchemeGroupVersion.WithResource(monitoringv1.PrometheusRuleName)
	return informers.NewInformersForResource(offlineFactory{idx: idx}, gvr)
}

// offlineFactory hands out informers over one cache, for every namespace.
type offlineFactory struct{ idx cache.Indexer }

func (f offlineFactory) Namespaces() sets.Set[string] { return sets.New(metav1.NamespaceAll) }

func (f offlineFactory) ForResource(_ string, gvr schema.GroupVersionResource) (informers.InformLister, error) {
	return offlineInformer{idx: f.idx, gr: gvr.GroupResource()}, nil
}

// offlineInformer is an informer whose cache is filled already.
type offlineInformer struct {
	idx cache.Indexer
	gr  schema.GroupResource
}

func (i offlineInformer) Informer() cache.SharedIndexInformer {
	return indexedInformer{SharedIndexInformer: nil, idx: i.idx}
}

func (i offlineInformer) Lister() cache.GenericLister { return cache.NewGenericLister(i.idx, i.gr) }

// indexedInformer answers GetIndexer, the only informer method the rule
// selector reaches (ForResource.ListAllByNamespace); the embedded nil
// interface makes any other call fail loudly.
type indexedInformer struct {
	cache.SharedIndexInformer
	idx cache.Indexer
}

func (i indexedInformer) GetIndexer() cache.Indexer { return i.idx }
