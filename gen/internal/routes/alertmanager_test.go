package routes

import (
	"slices"
	"testing"

	amconfig "github.com/prometheus/alertmanager/config"
	pmodel "github.com/prometheus/common/model"
)

const routing = `
route:
  receiver: fallback
  routes:
    - matchers: ['environment="prod"']
      receiver: prod
      continue: true
    - matchers: ['severity="critical"']
      receiver: pager
receivers:
  - name: fallback
  - name: prod
  - name: pager
`

// TestRouteReceivers: Alertmanager's matching (continue, fall-through) on
// a tree built once per config and shared by its calls.
func TestRouteReceivers(t *testing.T) {
	cfg, err := amconfig.Load(routing)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		ls   pmodel.LabelSet
		want []string
	}{
		{pmodel.LabelSet{"environment": "prod", "severity": "critical"}, []string{"prod", "pager"}},
		{pmodel.LabelSet{"environment": "prod"}, []string{"prod"}},
		{pmodel.LabelSet{"environment": "staging"}, []string{"fallback"}},
	} {
		if got, _ := RouteReceivers(cfg, tc.ls); !slices.Equal(got, tc.want) {
			t.Errorf("%v: receivers %v, want %v", tc.ls, got, tc.want)
		}
	}
	other, err := amconfig.Load(routing)
	if err != nil {
		t.Fatal(err)
	}
	if treeOf(cfg) != treeOf(cfg) || treeOf(cfg) == treeOf(other) {
		t.Error("a config's calls do not share its tree, or two configs share one")
	}
}
