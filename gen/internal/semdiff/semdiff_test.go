package semdiff

import (
	"encoding/json"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// fixture is the fixture's model, loaded once.
var fixture = sync.OnceValues(func() (*model.Model, error) { return model.Load(testfix.Root) })

// side renders a copy of the fixture's stack after mutate.
func side(t *testing.T, mutate func(*model.Stack)) Side {
	t.Helper()
	m, err := fixture()
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(m.Stack)
	if err != nil {
		t.Fatal(err)
	}
	var s model.Stack
	if err := json.Unmarshal(data, &s); err != nil {
		t.Fatal(err)
	}
	if mutate != nil {
		mutate(&s)
	}
	files, err := render.Render(&s)
	if err != nil {
		t.Fatal(err)
	}
	return Side{Stack: &s, Files: output.Index(files)}
}

// rule finds an alert rule of an environment's group.
func rule(s *model.Stack, env, alert string) *model.AlertRule {
	for gi, g := range s.Outputs.Alerts.Rules.Groups {
		for ri, r := range g.Rules {
			if g.Env == env && r.Alert == alert {
				return &s.Outputs.Alerts.Rules.Groups[gi].Rules[ri]
			}
		}
	}
	panic("no rule " + env + " " + alert)
}

// editDashboard decodes dashboard name, edits it and encodes it back.
func editDashboard(s *model.Stack, name string, edit func(*dashboards.Spec)) {
	spec, err := dashboards.Decode(s.Dashboards[name])
	if err != nil {
		panic(err)
	}
	edit(spec)
	if s.Dashboards[name], err = json.Marshal(spec); err != nil {
		panic(err)
	}
}

// TestCompare: each kind of edit, made on the decoded model, is reported
// in its section as exactly these changes, and nothing else is.
func TestCompare(t *testing.T) {
	const (
		prodSlack = "production-slack (Slack #lms-prod-alerts)"
		pager     = "production-pagerduty (PagerDuty)"
		security  = "security-email (e-mail security@lms.example.com)"
	)
	for _, tc := range []struct {
		name   string
		mutate func(*model.Stack)
		want   []Change
	}{
		{"nothing", nil, nil},
		{"threshold raised in prod", func(s *model.Stack) {
			a := s.Envs["prod"].Alerts
			a["LMSHighP95Latency"] = model.Threshold{Threshold: 0.9, Window: "5m", For: "10m", Severity: a["LMSHighP95Latency"].Severity}
		}, []Change{
			{Alerts, "prod LMSHighP95Latency", "threshold", "0.75", "0.9"},
			{Notifications, "prod LMSHighP95Latency", "receivers", prodSlack, prodSlack},
		}},
		{"severity raised: the alert now pages", func(s *model.Stack) {
			rule(s, "prod", "LMSHighErrorRate").Labels["severity"] = "critical"
		}, []Change{
			{Alerts, "prod LMSHighErrorRate", "severity", "warning", "critical"},
			{Notifications, "prod LMSHighErrorRate", "receivers", prodSlack, pager + ", " + prodSlack},
		}},
		{"alert removed in staging", func(s *model.Stack) {
			g := &s.Outputs.Alerts.Rules.Groups[1]
			g.Rules = slices.DeleteFunc(g.Rules, func(r model.AlertRule) bool { return r.Alert == "LMSRateLimitSpike" })
		}, []Change{
			{Alerts, "staging LMSRateLimitSpike", Removed, `threshold 2 over 5m, for 10m, warning, {category="security", environment="staging", job="lms_api_staging", service="lms-backend"}`, None},
			{Notifications, "staging LMSRateLimitSpike", "receivers", security + ", staging-slack (Slack #lms-staging-alerts)", None},
		}},
		{"inhibition removed", func(s *model.Stack) {
			c := &s.Outputs.Alertmanager.Config
			c.InhibitRules = append(c.InhibitRules[:1:1], c.InhibitRules[2:]...)
		}, []Change{
			{Inhibitions, `severity="critical"`, Removed, `mutes severity="warning" when equal environment, job`, None},
		}},
		{"scrape interval and a target", func(s *model.Stack) {
			c := &s.Outputs.Prometheus.Config
			c.Global.ScrapeInterval = "30s"
			for i := range c.ScrapeConfigs {
				if c.ScrapeConfigs[i].JobName == "lms_api_staging" {
					c.ScrapeConfigs[i].StaticConfigs[0].Targets = []string{"host.docker.internal:8011"}
				}
			}
		}, []Change{
			{Scrape, "global", "scrape_interval", "15s", "30s"},
			{Scrape, "job lms_api_staging", "targets", "host.docker.internal:8001", "host.docker.internal:8011"},
		}},
		{"dashboard panel removed", func(s *model.Stack) {
			editDashboard(s, "lms-api-overview", func(d *dashboards.Spec) {
				d.Rows[0].Panels = d.Rows[0].Panels[1:]
			})
		}, []Change{
			{Dashboards, `lms-api-overview › "Request rate"`, Removed, "stat", None},
		}},
		{"compose port, flag and image", func(s *model.Stack) {
			svc := s.Outputs.ComposeObservability.Compose.Services
			g := svc["grafana"]
			g.Ports = []model.Quoted{"127.0.0.1:3002:3000"}
			svc["grafana"] = g
			p := svc["prometheus"]
			p.Command = slices.Clone(p.Command)
			p.Command[2] = "--storage.tsdb.retention.time=45d"
			p.Image = "prom/prometheus:v2.55.0"
			svc["prometheus"] = p
		}, []Change{
			{Compose, "service grafana", "ports", "127.0.0.1:3001:3000", "127.0.0.1:3002:3000"},
			{Compose, "service prometheus", "image", "prom/prometheus:v2.54.1", "prom/prometheus:v2.55.0"},
			{Compose, "service prometheus", "flag --storage.tsdb.retention.time", "30d", "45d"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Compare(side(t, nil), side(t, tc.mutate))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}

// TestElide: a long value that differs in one number is cut to that
// number with a few words around it; short values and a value against
// none are kept whole.
func TestElide(t *testing.T) {
	long := `(label_replace(vector(0.75), "environment", "production", "", "") or label_replace(vector(0.75), "environment", "staging", "", "")) and on (environment) group by (environment) (up)`
	changed := `(label_replace(vector(0.75), "environment", "production", "", "") or label_replace(vector(0.5), "environment", "staging", "", "")) and on (environment) group by (environment) (up)`
	for _, tc := range []struct{ b, a, wantB, wantA string }{
		{"0.75", "0.9", "0.75", "0.9"},
		{long, None, long, None},
		{long, changed, `…"", "") or label_replace(vector(0.75), "environment", "staging", "", ""))…`, `…"", "") or label_replace(vector(0.5), "environment", "staging", "", ""))…`},
	} {
		if b, a := elide(tc.b, tc.a); b != tc.wantB || a != tc.wantA {
			t.Errorf("elide:\n got %q\n     %q\nwant %q\n     %q", b, a, tc.wantB, tc.wantA)
		}
	}
}
