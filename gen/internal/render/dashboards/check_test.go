package dashboards_test

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// built builds every real dashboard, keyed by file name.
func built(t *testing.T, l loaded) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for name, s := range l.specs {
		data, err := dashboards.Build(s, l.ctx)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out[name] = data
	}
	return out
}

// provisioned are the datasource uids of the generated provisioning file.
func provisioned(l loaded) []string {
	var uids []string
	for _, ds := range l.model.Stack.Outputs.GrafanaDatasources.Config.Datasources {
		uids = append(uids, ds.UID)
	}
	return uids
}

// TestRealDashboards runs every check on the five real dashboards and pins
// what the issue asks of each one.
func TestRealDashboards(t *testing.T) {
	l := load(t)
	if err := dashboards.CheckSpecs(l.specs); err != nil {
		t.Error(err)
	}
	envSel := regexp.MustCompile(`environment="\$environment"`)
	rateWindow := regexp.MustCompile(`rate\([^\[]*\[([^\]]*)\]`)
	for name, data := range built(t, l) {
		s := l.specs[name]
		t.Run(name, func(t *testing.T) {
			if s.UID != name {
				t.Errorf("uid %q, want the file name %q (stable, readable URLs)", s.UID, name)
			}
			if err := dashboards.StrictRoundTrip(data); err != nil {
				t.Error(err)
			}
			if err := dashboards.Layout(data); err != nil {
				t.Error(err)
			}
			if err := dashboards.CheckDatasources(data, provisioned(l)...); err != nil {
				t.Error(err)
			}
			if v, err := dashboards.SchemaVersion(data); err != nil || v != s.SchemaVersion {
				t.Errorf("dashboards.SchemaVersion = %d, %v; want %d", v, err, s.SchemaVersion)
			}
			panels, exprs, stackPanels := 0, map[string]string{}, map[string]bool{}
			for _, r := range s.Rows {
				for _, p := range r.Panels {
					panels++
					stackPanels[p.Title] = r.Stack
					if p.Description == "" {
						t.Errorf("panel %q: no description", p.Title)
					}
				}
			}
			if panels < 6 {
				t.Errorf("%d panels, want at least 6", panels)
			}
			for _, q := range dashboards.Queries(s) {
				if !envSel.MatchString(q.Expr) && !stackPanels[q.Panel] {
					t.Errorf("panel %q query %s does not select environment=\"$environment\": %s", q.Panel, q.RefID, q.Expr)
				}
				for _, m := range rateWindow.FindAllStringSubmatch(q.Expr, -1) {
					if m[1] != "$__rate_interval" {
						t.Errorf("panel %q query %s: rate window %s, want $__rate_interval", q.Panel, q.RefID, m[1])
					}
				}
				if other, dup := exprs[q.Expr]; dup {
					t.Errorf("panel %q query %s repeats the query of %s", q.Panel, q.RefID, other)
				}
				exprs[q.Expr] = q.Panel + " " + q.RefID
			}
			if len(s.Variables) != 1 || s.Variables[0].Name != "environment" {
				t.Fatalf("variables %+v, want the environment variable", s.Variables)
			}
			var envs []string
			for _, e := range l.model.Stack.Envs {
				envs = append(envs, e.Labels["environment"])
			}
			// An environment's own dashboard (its SLOs, whose thresholds
			// are its objectives) offers that environment only.
			own := len(s.Variables[0].Values) == 1 && slices.Contains(envs, s.Variables[0].Values[0]) && strings.HasPrefix(s.UID, "lms-slo-")
			if !own && (len(s.Variables[0].Values) != len(envs) || s.Variables[0].Values[0] != "production") {
				t.Errorf("environment values %v, want production first, then the other environments of %v", s.Variables[0].Values, envs)
			}
		})
	}
}

// TestAlertThresholds pins that a panel showing an alerted quantity carries
// the production alert threshold, and that changing the CUE value changes
// the panel (the value is read from the model, never written here).
func TestAlertThresholds(t *testing.T) {
	l := load(t)
	prod := l.model.Stack.Envs["prod"]
	for _, c := range []struct{ dashboard, panel, alert string }{
		{"lms-api-overview", "p95 latency", "LMSHighP95Latency"},
		{"lms-api-overview", "Latency by method", "LMSHighP95Latency"},
		{"lms-api-overview", "5xx ratio", "LMSHighErrorRate"},
		{"lms-api-overview", "5xx ratio by status", "LMSHighErrorRate"},
		{"lms-security-events", "429 responses", "LMSRateLimitSpike"},
		{"lms-security-events", "429 responses by route", "LMSRateLimitSpike"},
	} {
		p := findPanel(t, l.specs[c.dashboard], c.panel)
		want := prod.Alerts[c.alert].Threshold
		if p.Thresholds == nil || len(p.Thresholds.Steps) != 1 || p.Thresholds.Steps[0].Value != want {
			t.Errorf("%s / %s: thresholds %+v, want one step at production's %s threshold %v", c.dashboard, c.panel, p.Thresholds, c.alert, want)
		}
	}
	// The threshold series carries every environment's own value.
	p := findPanel(t, l.specs["lms-api-overview"], "Latency by method")
	var expr string
	for _, q := range p.Queries {
		if q.AlertThreshold {
			expr = q.Expr
		}
	}
	for name, e := range l.model.Stack.Envs {
		want := `vector(` + jsonNumber(e.Alerts["LMSHighP95Latency"].Threshold) + `), "environment", "` + e.Labels["environment"] + `"`
		if !strings.Contains(expr, want) {
			t.Errorf("threshold series %q lacks env %s's threshold (%s)", expr, name, want)
		}
	}
}

func jsonNumber(f float64) string {
	b, _ := json.Marshal(f)
	return string(b)
}

func findPanel(t *testing.T, s *dashboards.Spec, title string) dashboards.Panel {
	t.Helper()
	for _, r := range s.Rows {
		for _, p := range r.Panels {
			if p.Title == title {
				return p
			}
		}
	}
	t.Fatalf("dashboard %q has no panel %q", s.UID, title)
	return dashboards.Panel{}
}
