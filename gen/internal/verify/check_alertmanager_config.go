package verify

import (
	"fmt"
	"net/url"
	"path"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	"github.com/prometheus/alertmanager/template"
	"github.com/prometheus/alertmanager/types"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// checkAlertmanagerConfig loads alertmanager.yml with Alertmanager 0.27.0's
// own loader, then executes every notification template of every receiver
// with Alertmanager's template engine on the alerts our rules really raise
// and its routing sends there (all of them to a receiver none reaches), so
// a template that fails at notification time fails here instead.
func checkAlertmanagerConfig(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Alertmanager
	scope := "stack: " + path.Base(out.Path)
	cfg, err := amconfig.Load(string(files[out.Path]))
	if err != nil {
		return model.Problems{{Pos: m.PosOf("", model.PathAlertmanagerConfig), Also: []string{out.Path}, Scope: scope, Msg: rejects("Alertmanager", alertmanagerModule) + err.Error()}}
	}
	tmpl, err := template.FromGlobs(nil)
	if err != nil {
		return model.Problems{{Scope: scope, Msg: "load Alertmanager's default templates: " + err.Error()}}
	}
	tmpl.ExternalURL, _ = url.Parse("http://alertmanager")
	alerts := sampleAlerts(m.Stack)
	// Each receiver's own alerts: every receiver with every alert would be
	// quadratic in the environments, which bring both.
	routed := map[string][]*types.Alert{}
	for i, r := range routes.AlertReceivers(m.Stack, cfg) {
		for _, name := range r.Receivers {
			routed[name] = append(routed[name], alerts[i])
		}
	}
	var ps model.Problems
	for ri, r := range out.Config.Receivers {
		own := routed[r.Name]
		if len(own) == 0 {
			own = alerts
		}
		data := tmpl.Data(r.Name, pmodel.LabelSet{"alertname": "Sample"}, own...)
		for field, text := range receiverTemplates(r) {
			if _, err := tmpl.ExecuteTextString(text, data); err != nil {
				ps = append(ps, model.Problem{
					Pos:   m.PosOf("", model.PathAlertmanagerReceiver.At(ri)),
					Scope: fmt.Sprintf("%s: receiver %s", scope, r.Name),
					Msg:   fmt.Sprintf("template %s fails: %v", field, err),
				})
			}
		}
	}
	return ps
}

// receiverTemplates returns the templated fields of a receiver by name.
func receiverTemplates(r model.Receiver) map[string]string {
	t := map[string]string{}
	for i, c := range r.SlackConfigs {
		t[fmt.Sprintf("slack_configs[%d].title", i)] = c.Title
		t[fmt.Sprintf("slack_configs[%d].text", i)] = c.Text
	}
	for i, c := range r.PagerdutyConfigs {
		t[fmt.Sprintf("pagerduty_configs[%d].severity", i)] = c.Severity
		t[fmt.Sprintf("pagerduty_configs[%d].description", i)] = c.Description
	}
	for i, c := range r.EmailConfigs {
		for k, v := range c.Headers {
			t[fmt.Sprintf("email_configs[%d].headers.%s", i, k)] = v
		}
	}
	return t
}

// sampleAlerts is one firing alert per rule of every environment, with the
// labels the rule really gives it (see RealAlerts).
func sampleAlerts(s *model.Stack) []*types.Alert {
	var alerts []*types.Alert
	for _, a := range promql.RealAlerts(s) {
		alerts = append(alerts, &types.Alert{Alert: pmodel.Alert{
			Labels:      a.Labels,
			Annotations: promql.ToLabelSet(a.Rule.Annotations),
			StartsAt:    time.Unix(0, 0).UTC(),
		}})
	}
	return alerts
}
