package routes

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// haPrometheus is prometheus.yml of two HA replicas, as gen renders it:
// each names itself in an external label from its environment.
const haPrometheus = `global:
  external_labels:
    replica: ${PROMETHEUS_REPLICA}
alerting:
  alert_relabel_configs:
    - action: labeldrop
      regex: replica
`

var replicas = map[string]map[string]string{
	"prometheus-0": {"PROMETHEUS_REPLICA": "prometheus-0"},
	"prometheus-1": {"PROMETHEUS_REPLICA": "prometheus-1"},
}

var alert = map[string]string{"alertname": "LMSApiDown", "environment": "production", "severity": "critical"}

// TestDeliverHA: the replicas' external label is dropped, so both deliver
// one alert, with the rule's labels; without the labeldrop they deliver
// two, which Alertmanager would notify twice.
func TestDeliverHA(t *testing.T) {
	senders, err := ComposeSenders([]byte(haPrometheus), replicas)
	if err != nil {
		t.Fatal(err)
	}
	d := Deliver(senders, alert)
	if why := d.Once(); why != "" {
		t.Fatalf("the HA replicas do not deliver one alert: %s", why)
	}
	if diff := cmp.Diff(alert, d.Sets[0].Labels); diff != "" {
		t.Errorf("delivered labels (-rule +delivered):\n%s", diff)
	}

	keep := strings.Replace(haPrometheus, "regex: replica", "regex: replica_name", 1)
	senders, err = ComposeSenders([]byte(keep), replicas)
	if err != nil {
		t.Fatal(err)
	}
	why := Deliver(senders, alert).Once()
	if !strings.Contains(why, `arrives as different alerts`) || !strings.Contains(why, `replica="prometheus-1", severity="critical"} from prometheus-1`) {
		t.Errorf("replicas that keep their replica label: Once() = %q, want two alerts named", why)
	}
}

// TestDeliverKeepsTheAlertsLabels: an external label never replaces a
// label the alert carries (Prometheus's notifier adds it only where the
// alert lacks it), and a labeldrop of a label the alert carries removes
// it: the environment is gone, so no environment route matches.
func TestDeliverKeepsTheAlertsLabels(t *testing.T) {
	yml := "global:\n  external_labels:\n    environment: other\n    site: a\n"
	senders, err := ComposeSenders([]byte(yml), map[string]map[string]string{"prometheus": {}})
	if err != nil {
		t.Fatal(err)
	}
	got, ok := senders[0].Deliver(alert)
	want := map[string]string{"alertname": "LMSApiDown", "environment": "production", "severity": "critical", "site": "a"}
	if !ok || !cmp.Equal(got, want) {
		t.Errorf("Deliver = %v, %v; want %v", got, ok, want)
	}
	drop := "alerting:\n  alert_relabel_configs:\n    - action: labeldrop\n      regex: environment\n"
	senders, err = ComposeSenders([]byte(drop), map[string]map[string]string{"prometheus": {}})
	if err != nil {
		t.Fatal(err)
	}
	if got, _ := senders[0].Deliver(alert); got["environment"] != "" {
		t.Errorf("labeldrop environment: delivered %v", got)
	}
}
