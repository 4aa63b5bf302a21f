package e2e

import (
	"context"
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"cuelang.org/go/cue/ast"

	"github.com/lms/lms-ops/gen"
)

// laptopFor is the `for` of every alert in the run: long enough to prove
// that an alert waits, short enough for a quick run.
const laptopFor = "10s"

func loadCommitted(root string) (*gen.Model, error) {
	m, err := gen.Load(root)
	if err != nil {
		return nil, fmt.Errorf("load envs/: %w", err)
	}
	return m, nil
}

// overrides are everything the laptop run changes in envs/: where things
// listen, how often Prometheus scrapes and evaluates, the alerts' `for`,
// Alertmanager's grouping delays, and where secrets and notifications go.
// The alert expressions stay byte-identical (render checks it).
func (r *run) overrides(m *gen.Model) []Override {
	str := func(s string) ast.Expr { return ast.NewString(s) }
	ams := &ast.ListLit{}
	for _, am := range r.alertmanagers {
		ams.Elts = append(ams.Elts, str(r.addr(am)))
	}
	ovs := append(TimingOverrides(m), []Override{
		{Dir: gen.DeriveDir, Path: "settings.prometheus.alertmanagers", Value: ams},
		{Dir: "envs", Path: "settings.prometheus.self_target", Value: str(r.addr(r.prometheuses[0]))},
		{Dir: "envs", Path: "settings.monitoring.jobs.grafana", Value: &ast.ListLit{Elts: []ast.Expr{str(r.addr("grafana"))}}},
		{Dir: "envs", Path: "settings.monitoring.jobs.caddy", Value: &ast.ListLit{Elts: []ast.Expr{str(r.addr("caddy-metrics"))}}},
		{Dir: "envs", Path: "settings.secrets.mount_dir", Value: str(r.path("secrets"))},
	}...)
	ovs = append(ovs, SinkOverrides("http://"+r.addr("sinks"), r.addr("smtp"))...)
	for _, n := range sortedEnvs(m) {
		ovs = append(ovs, Override{Dir: path.Join(gen.EnvsDir, n), Path: "target", Value: str(r.addr("api-" + n))})
	}
	if r.ha {
		ovs = append(ovs, Override{Dir: "envs", Path: "settings.ha.enabled", Value: ast.NewBool(true)})
	}
	// Caddy proxies to the API of an environment that pages (production).
	if n := PagingEnv(m); n != "" {
		ovs = append(ovs, Override{Dir: "envs", Path: "settings.caddy.upstream", Value: str(r.addr("api-" + n))})
	}
	return ovs
}

// TimingOverrides are what a test run changes in envs/ to see in seconds
// what production sees in minutes: scrape and evaluation every second, the
// alerts' `for` (laptopFor, where not 0s), Alertmanager's grouping delays
// and the heartbeat's intervals. The alert expressions stay as committed.
func TimingOverrides(m *gen.Model) []Override {
	str := func(s string) ast.Expr { return ast.NewString(s) }
	ovs := []Override{
		{Dir: "envs", Path: "settings.prometheus.scrape_interval", Value: str("1s")},
		// Above (evaluation_interval + 10s) / 3: the schema refuses a resend
		// delay that lets a hung Alertmanager expire alerts at the others.
		{Dir: "envs", Path: "settings.prometheus.alert_resend_delay", Value: str("5s")},
		{Dir: "envs", Path: "settings.monitoring.heartbeat.group_interval", Value: str("1s")},
		{Dir: "envs", Path: "settings.monitoring.heartbeat.repeat_interval", Value: str("2s")},
		{Dir: "envs", Path: "settings.prometheus.evaluation_interval", Value: str("1s")},
		{Dir: "envs", Path: "settings.alertmanager.group_wait", Value: str("1s")},
		{Dir: "envs", Path: "settings.alertmanager.group_interval", Value: str("1s")},
	}
	for _, n := range sortedEnvs(m) {
		for a := range m.Stack.Envs[n].Alerts {
			ovs = append(ovs, Override{Dir: path.Join(gen.EnvsDir, n), Path: "alerts." + a + ".for", Value: str(laptopFor)})
		}
	}
	for a, t := range m.Stack.Settings.Monitoring.Alerts {
		if t.For != "0s" {
			ovs = append(ovs, Override{Dir: "envs", Path: "settings.monitoring.alerts." + a + ".for", Value: str(laptopFor)})
		}
	}
	return ovs
}

// SinkOverrides point the notifiers configured in CUE (PagerDuty's URL,
// the SMTP smarthost) at the test's sinks; the Slack and heartbeat URLs
// are secrets (SecretValues).
func SinkOverrides(httpBase, smtp string) []Override {
	return []Override{
		{Dir: "envs", Path: "settings.alertmanager.pagerduty_url", Value: ast.NewString(httpBase + "/pagerduty")},
		{Dir: "envs", Path: "settings.alertmanager.smtp.smarthost", Value: ast.NewString(smtp)},
		{Dir: "envs", Path: "settings.alertmanager.smtp.require_tls", Value: ast.NewBool(false)},
	}
}

// PagingEnv is the first environment that may page (production): the one
// Caddy proxies to.
func PagingEnv(m *gen.Model) string {
	for _, n := range sortedEnvs(m) {
		if m.Stack.Settings.Alertmanager.Paging.MayPage(m.Stack.Envs[n].Labels["environment"]) {
			return n
		}
	}
	return ""
}

// render loads envs/ with the laptop overlay, renders it, checks that the
// alert expressions are the committed ones, and writes the configs and the
// secret files.
func (r *run) render(ctx context.Context) error {
	committed, err := loadCommitted(r.cfg.Root)
	if err != nil {
		return err
	}
	topology := committed
	if r.ha {
		if topology, err = haModel(r.cfg.Root); err != nil {
			return err
		}
	}
	r.prometheuses, r.alertmanagers = serverServices(topology)
	if err := r.reservePorts(topology); err != nil {
		return err
	}
	overlay, err := Overlay(r.cfg.Root, r.overrides(committed))
	if err != nil {
		return err
	}
	// The laptop values go through the same pipeline as gen, every check
	// included: what runs here is what gen would accept.
	res, err := gen.Run(r.cfg.Root, gen.Options{Overlay: overlay})
	if err != nil {
		return fmt.Errorf("the laptop overlay of the model: %w", err)
	}
	r.model = res.Model
	r.files = map[string][]byte{}
	for _, f := range res.Files {
		r.files[f.Path] = f.Data
	}
	if err := sameExpressions(committed.Stack, r.model.Stack); err != nil {
		return err
	}
	if err := r.writeConfigs(); err != nil {
		return err
	}
	return r.writeSecrets()
}

// sameExpressions: the overlay changes no alert expression.
func sameExpressions(committed, overlay *gen.Stack) error {
	a, b := committed.Outputs.Alerts.Rules.Groups, overlay.Outputs.Alerts.Rules.Groups
	if len(a) != len(b) {
		return fmt.Errorf("the overlay has %d rule groups, the committed rules %d", len(b), len(a))
	}
	n := 0
	for gi := range a {
		for ri := range a[gi].Rules {
			if a[gi].Rules[ri].Expr != b[gi].Rules[ri].Expr {
				return fmt.Errorf("env %s: alert %s: the overlay changed the expression", a[gi].Env, a[gi].Rules[ri].Alert)
			}
			n++
		}
	}
	if n == 0 {
		return fmt.Errorf("no alert rule to compare")
	}
	return nil
}

// reservePorts picks a free loopback port for every server and API.
// Names already reserved (the phase before the HA phase) keep their port.
func (r *run) reservePorts(m *gen.Model) error {
	want := append([]string{}, portNames...)
	for _, n := range sortedEnvs(m) {
		want = append(want, "api-"+n)
	}
	want = append(append(want, r.prometheuses...), r.alertmanagers...)
	if m.Stack.Settings.HA.Enabled {
		for _, am := range r.alertmanagers {
			want = append(want, fmt.Sprintf("%s:%d", am, m.Stack.Settings.HA.Cluster.Port))
		}
	}
	if r.ports == nil {
		r.ports = map[string]int{}
	}
	var names []string
	for _, n := range want {
		if _, ok := r.ports[n]; !ok {
			names = append(names, n)
		}
	}
	ports, err := FreePorts(len(names))
	if err != nil {
		return err
	}
	for i, n := range names {
		r.ports[n] = ports[i]
	}
	return nil
}

// haModel is the committed model with settings.ha on: its compose services
// name the replicas the HA phase runs.
func haModel(root string) (*gen.Model, error) {
	ov, err := Overlay(root, []Override{{Dir: "envs", Path: "settings.ha.enabled", Value: ast.NewBool(true)}})
	if err != nil {
		return nil, err
	}
	return gen.LoadWith(root, ov)
}

// serverServices are the compose services that run Prometheus and
// Alertmanager: those Prometheus sends alerts to, and those that name
// themselves in the replica variable (or the service the rules are read by).
func serverServices(m *gen.Model) (proms, ams []string) {
	s := m.Stack
	for _, a := range s.Settings.Prometheus.Alertmanagers {
		host, _, _ := net.SplitHostPort(a)
		ams = append(ams, host)
	}
	for name, svc := range s.Outputs.ComposeObservability.Compose.Services {
		if _, ok := svc.Environment[s.Settings.HA.ReplicaEnv]; ok {
			proms = append(proms, name)
		}
	}
	if len(proms) == 0 {
		proms = []string{s.Outputs.Prometheus.MountedAt.Service}
	}
	sort.Strings(proms)
	return proms, ams
}

// writeConfigs writes every rendered file under repo/, as the checkout
// holds them: the servers read them through their compose mounts.
func (r *run) writeConfigs() error {
	for p, data := range r.files {
		dst := r.path("repo", filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, data, 0o644); err != nil {
			return err
		}
	}
	return os.MkdirAll(r.path("config"), 0o755)
}

// writeSecrets supplies every secret as a file, the way production does.
func (r *run) writeSecrets() error {
	if err := os.MkdirAll(r.path("secrets"), 0o700); err != nil {
		return err
	}
	for name, value := range SecretValues(r.model, "http://"+r.addr("sinks")) {
		if err := os.WriteFile(r.path("secrets", name), []byte(value), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// SecretValues are the test's secrets: Slack webhooks point at the Slack
// sink under httpBase, webhook receivers (the heartbeat) at the webhook
// sink, one path per secret; every other secret is a placeholder.
func SecretValues(m *gen.Model, httpBase string) map[string]string {
	webhooks := map[string]bool{}
	for _, rc := range m.Stack.Outputs.Alertmanager.Config.Receivers {
		for _, c := range rc.WebhookConfigs {
			webhooks[filepath.Base(c.URLFile)] = true
		}
	}
	values := map[string]string{}
	for name := range m.Stack.Settings.Alertmanager.Secrets {
		values[name] = "e2e-" + name
		switch {
		case strings.HasPrefix(name, "slack_"):
			values[name] = httpBase + "/slack/" + name
		case webhooks[name]:
			values[name] = httpBase + "/webhook/" + name
		}
	}
	for name := range m.Stack.Settings.Grafana.Secrets {
		values[name] = "e2e-" + name
	}
	return values
}

func sortedEnvs(m *gen.Model) []string {
	var names []string
	for n := range m.Stack.Envs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
