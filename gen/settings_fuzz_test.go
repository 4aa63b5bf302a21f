package gen

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	amconfig "github.com/prometheus/alertmanager/config"
	pmodel "github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/promql"
	"github.com/lms/lms-ops/gen/internal/routes"
)

// settingsDraws is how many random configurations TestSettingsFuzz draws.
const settingsDraws = 200

// fuzzSkip are the checks a settings draw cannot change, each with the
// reason: no field it draws is read by them, and each has tests of its
// own. Everything else gen runs, so "gen accepts" is gen's verdict.
var fuzzSkip = map[string]string{
	"rule-tests":     "the rule cases read thresholds, windows, for and the scrape and evaluation intervals, none drawn here (TestOperatorValuesFuzz draws them)",
	"k8s-rules":      "the PrometheusRule's groups are alerts.yml's, checked by rule-files",
	"dashboards":     "no dashboard reads a drawn field",
	"runbooks":       "the alert names are not drawn",
	"workflow":       "the CI workflow reads no setting",
	"metric-catalog": "the metric catalog and the queries are not drawn",
	"no-secrets":     "no drawn value is shaped like a credential",
}

// sub is one edit of a fixture file: old replaced by new, exactly once.
type sub struct{ file, old, new string }

// settingsDraw draws values of the fields an operator sets: host and
// container ports, Caddy's ports and upstream, the exposure lists, the HA
// topology, retention, environment labels, jobs and channels, the paging
// lists and the monitoring receivers. The pools mix usual values with the
// ones that break a guarantee, so that both outcomes are drawn often.
func settingsDraw(r *rand.Rand) []sub {
	pick := func(xs ...string) string { return xs[r.IntN(len(xs))] }
	// About three fields change per draw, so that about half the draws
	// are accepted.
	maybe := func(p float64) bool { return r.Float64() < p/2 }
	var subs []sub
	stack := func(old, new string) { subs = append(subs, sub{"envs/stack.cue", old, new}) }
	if maybe(0.3) {
		stack(`prometheus: {port: 9090, host_port: 9090,`, `prometheus: {port: 9090, host_port: `+pick("9090", "9091", "9093", "3001", "65535", "19090")+`,`)
	}
	if maybe(0.3) {
		stack(`alertmanager: {port: 9093, host_port: 9093,`, `alertmanager: {port: `+pick("9093", "9094")+`, host_port: `+pick("9093", "9092", "9095", "443", "19093")+`,`)
	}
	if maybe(0.3) {
		stack(`grafana: {port: 3000, host_port: 3001,`, `grafana: {port: 3000, host_port: `+pick("3001", "3000", "9090", "80", "8443")+`,`)
	}
	if maybe(0.3) {
		stack(`caddy: {ports: [80, 443], udp_ports: [443], metrics_port: 2020}`,
			`caddy: {ports: `+pick("[80, 443]", "[80, 443, 8443]", "[443]", "[80, 443, 3001]", "[80, 443, 80]")+`, udp_ports: `+pick("[443]", "[]", "[8443]")+`, metrics_port: `+pick("2020", "2021", "80", "8443")+`}`)
	}
	if maybe(0.25) {
		stack(`public: ["caddy"]`, `public: `+pick(`["caddy", "grafana"]`, `["caddy", "prometheus"]`, `["caddy", "alertmanager"]`, `[]`))
	}
	if maybe(0.15) {
		stack(`authenticated: grafana: "Grafana login:`, `authenticated: `+pick("prometheus", "alertmanager")+`: "SSH tunnel", authenticated: grafana: "Grafana login:`)
	}
	if maybe(0.5) {
		stack(`enabled:               false`, `enabled:               true`)
	}
	if maybe(0.4) {
		stack(`prometheus_replicas:   2`, `prometheus_replicas:   `+pick("2", "3", "4", "5"))
	}
	if maybe(0.3) {
		stack(`alertmanager_replicas: 3`, `alertmanager_replicas: `+pick("3", "5", "4"))
	}
	if maybe(0.3) {
		stack(`replica_label:         "replica"`, `replica_label:         `+strconv.Quote(pick("prometheus_replica", "replica_name", "environment", "severity", "service", "job", "category", "alertname")))
	}
	if maybe(0.15) {
		stack(`replica_env:           "PROMETHEUS_REPLICA"`, `replica_env:           `+strconv.Quote(pick("REPLICA_NAME", "REPLICA_KEY", "PROM_REPLICA")))
	}
	if maybe(0.25) {
		stack(`cluster: {port: 9094, label: "lms-ops"}`, `cluster: {port: `+pick("9094", "9093", "9095", "9096")+`, label: `+strconv.Quote(pick("lms-ops", "lms-ha"))+`}`)
	}
	if maybe(0.2) {
		subs = append(subs, sub{"envs/caddy.cue", `upstream: "api:\(settings.services.api.port)"`,
			`upstream: ` + strconv.Quote(pick("api:8000", "grafana:3000", "prometheus:9090", "alertmanager:9093", "prometheus-0:9090", "alertmanager-1:9093"))})
	}
	if maybe(0.2) {
		subs = append(subs, sub{"envs/prometheus.cue", `retention: {time: "30d", size: "20GB"}`,
			`retention: {time: ` + strconv.Quote(pick("30d", "15d", "7d", "1d", "12h", "6h", "2h")) + `, size: ` + strconv.Quote(pick("20GB", "500MB", "1TB")) + `}`})
	}
	if maybe(0.2) {
		subs = append(subs, sub{"envs/alertmanager.cue", "\t\tenvironments: [\"production\"]\n\t\tmust_page: [\"critical\"]",
			"\t\tenvironments: " + pick(`["production"]`, `["production", "staging"]`, `[]`, `["prod"]`) + "\n\t\tmust_page: " + pick(`["critical"]`, `["critical", "warning"]`, `[]`)})
	}
	if maybe(0.15) {
		subs = append(subs, sub{"envs/monitoring.cue", `Watchdog: [heartbeat.receiver]`,
			`Watchdog: ` + pick(`[heartbeat.receiver]`, `[heartbeat.receiver, settings.alertmanager.fallback.receiver]`, `[ops.email_receiver]`)})
	}
	if maybe(0.1) {
		subs = append(subs, sub{"envs/monitoring.cue", "\t\treceiver: \"heartbeat\"", "\t\treceiver: " + strconv.Quote(pick("heartbeat", "dead-mans-switch", "ops-slack", "production-slack"))})
	}
	for _, env := range []string{"prod", "staging"} {
		file := "envs/" + env + "/env.cue"
		lines := map[string][4]string{
			"prod":    {`job:          "lms_api_prod"`, `environment: "production"`, `slack_channel: "#lms-prod-alerts"`, `page_severities: ["critical"]`},
			"staging": {`job:          "lms_api_staging"`, `environment: "staging"`, `slack_channel: "#lms-staging-alerts"`, `page_severities: []`},
		}[env]
		if maybe(0.15) {
			subs = append(subs, sub{file, lines[0], `job:          ` + strconv.Quote(pick("lms_api_"+env, "api_"+env, "lms_api_prod", "prometheus"))})
		}
		if maybe(0.15) {
			subs = append(subs, sub{file, lines[1], `environment: ` + strconv.Quote(pick("production", "staging", env+"-eu", "prod"))})
		}
		if maybe(0.1) {
			subs = append(subs, sub{file, lines[2], `slack_channel: ` + strconv.Quote(pick("#lms-"+env, "#lms-ops", "#lms-prod-alerts"))})
		}
		if maybe(0.15) {
			subs = append(subs, sub{file, lines[3], `page_severities: ` + pick(`[]`, `["critical"]`, `["critical", "warning"]`)})
		}
	}
	return subs
}

// applySubs returns the overlay of one draw (absolute path to content) and,
// per file, the lines the draw wrote.
func applySubs(t *testing.T, root string, base map[string]string, subs []sub) (map[string][]byte, map[string][]int) {
	t.Helper()
	text := map[string]string{}
	lines := map[string][]int{}
	for _, s := range subs {
		cur, ok := text[s.file]
		if !ok {
			cur = base[s.file]
		}
		i := strings.Index(cur, s.old)
		if i < 0 || strings.Count(cur, s.old) != 1 {
			t.Fatalf("%s: %q occurs %d times, want 1", s.file, s.old, strings.Count(cur, s.old))
		}
		first := strings.Count(cur[:i], "\n") + 1
		for l := first; l <= first+strings.Count(s.new, "\n"); l++ {
			lines[s.file] = append(lines[s.file], l)
		}
		text[s.file] = cur[:i] + s.new + cur[i+len(s.old):]
	}
	overlay := map[string][]byte{}
	for f, data := range text {
		overlay[filepath.Join(root, filepath.FromSlash(f))] = []byte(data)
	}
	return overlay, lines
}

// TestSettingsFuzz draws settingsDraws random configurations of the
// settings an operator sets (settingsDraw) on the fixture. For each, gen
// either refuses it, with every problem at a line the draw wrote and a
// reason, or accepts it, and then the guarantees hold on the rendered
// files, computed here from them (not by gen's checks): production's
// critical alerts reach the pager, staging never pages, no UI without a
// login is published beyond the loopback, no two services publish one
// host port, retention covers every alert window, and Watchdog reaches
// the heartbeat and nothing else.
func TestSettingsFuzz(t *testing.T) {
	t.Parallel()
	start := time.Now()
	root, err := filepath.Abs(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	base := map[string]string{}
	for _, f := range []string{"envs/stack.cue", "envs/caddy.cue", "envs/prometheus.cue", "envs/alertmanager.cue", "envs/monitoring.cue", "envs/prod/env.cue", "envs/staging/env.cue"} {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f)))
		if err != nil {
			t.Fatal(err)
		}
		base[f] = string(data)
	}
	r := rand.New(rand.NewPCG(20, 2026))
	type draw struct {
		subs    []sub
		overlay map[string][]byte
		lines   map[string][]int
		err     error
		// asserted and failures are the guarantees checked on an
		// accepted draw's files, worked out as soon as it ran: a Result
		// holds the whole evaluated CUE model, and 200 of them kept until
		// the end held 7 GiB, which every garbage collection scanned.
		asserted int
		failures []string
	}
	draws := make([]draw, settingsDraws)
	for i := range draws {
		draws[i].subs = settingsDraw(r)
		draws[i].overlay, draws[i].lines = applySubs(t, root, base, draws[i].subs)
	}
	// The draws are independent: run them on every core.
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				res, err := Run(root, Options{Overlay: draws[i].overlay, Skip: fuzzSkip})
				if draws[i].err = err; err == nil {
					draws[i].asserted, draws[i].failures = guarantees(res)
				}
			}
		})
	}
	for i := range draws {
		next <- i
	}
	close(next)
	wg.Wait()

	accepted, refused, asserted := 0, 0, 0
	for i, d := range draws {
		values := describeSubs(d.subs)
		if d.err != nil {
			refused++
			ps, ok := d.err.(Problems)
			if !ok {
				t.Errorf("draw %d: gen fails without problems: %v\n%s", i, d.err, values)
				continue
			}
			for _, p := range ps {
				if p.Pos == "" && strings.HasPrefix(p.Msg, "and ") {
					continue
				}
				// At a line the draw wrote; or, for a value that clashes
				// with another, at the other one, a line the draw left as it
				// was: an operator's value too, never an output or a shared
				// file's logic.
				if !(atDrawnLine(p.Pos, d.lines) || strings.HasPrefix(p.Pos, "envs/") && operatorValue(p)) || !strings.Contains(p.Msg, ": ") {
					t.Errorf("draw %d: a problem not at an operator's value, with a reason:\n%s\nvalues:\n%s", i, p, values)
				}
			}
			continue
		}
		accepted++
		asserted += d.asserted
		for _, f := range d.failures {
			t.Errorf("draw %d: gen accepts it, but %s\nvalues:\n%s", i, f, values)
		}
	}
	t.Logf("%d draws: %d accepted (%d guarantees asserted, %.1f per configuration), %d refused at the operator's line; %v",
		len(draws), accepted, asserted, float64(asserted)/float64(max(accepted, 1)), refused, time.Since(start).Round(time.Second))
	if accepted == 0 || refused == 0 {
		t.Errorf("%d accepted, %d refused: the draws do not exercise both outcomes", accepted, refused)
	}
}

func describeSubs(subs []sub) string {
	var b strings.Builder
	for _, s := range subs {
		fmt.Fprintf(&b, "  %s: %s\n", s.file, strings.ReplaceAll(s.new, "\n", " "))
	}
	return b.String()
}

// operatorValue tells whether a problem is about a value an operator
// sets: a setting, a field of an environment, or a route or paging case
// of the policy, not an output.
func operatorValue(p model.Problem) bool {
	return strings.HasPrefix(p.Scope, "env ") && !strings.Contains(p.Scope, ".yml") || strings.HasPrefix(p.Msg, "settings.")
}

// atDrawnLine tells whether pos ("file:line:col") is a line the draw wrote.
func atDrawnLine(pos string, lines map[string][]int) bool {
	parts := strings.Split(pos, ":")
	if len(parts) < 2 {
		return false
	}
	line, err := strconv.Atoi(parts[1])
	return err == nil && slices.Contains(lines[parts[0]], line)
}

// guarantees computes each guarantee on the rendered files of an accepted
// configuration; it returns how many it asserted and what failed.
func guarantees(res *Result) (int, []string) {
	s := res.Model.Stack
	files := output.Index(res.Files)
	var fails []string
	n := 0
	check := func(ok bool, format string, args ...any) {
		n++
		if !ok {
			fails = append(fails, fmt.Sprintf(format, args...))
		}
	}
	compose := map[string]composeFile{}
	for _, p := range []string{s.Outputs.ComposeObservability.Path, s.Outputs.ComposeProd.Path} {
		var c composeFile
		if err := yaml.Unmarshal(files[p], &c); err != nil {
			return n, []string{fmt.Sprintf("%s does not parse: %v", p, err)}
		}
		compose[p] = c
	}
	am, err := amconfig.Load(string(files[s.Outputs.Alertmanager.Path]))
	if err != nil {
		return n, []string{"alertmanager.yml does not load: " + err.Error()}
	}
	// The Prometheus services and their environment, from the compose file.
	env := map[string]map[string]string{}
	for name, svc := range compose[s.Outputs.ComposeObservability.Path].Services {
		if strings.HasPrefix(svc.Image, "prom/prometheus:") {
			env[name] = svc.Environment
		}
	}
	senders, err := routes.ComposeSenders(files[s.Outputs.Prometheus.Path], env)
	if err != nil {
		return n, []string{"prometheus.yml does not load: " + err.Error()}
	}
	pager := map[string]bool{}
	receivers := map[string]amconfig.Receiver{}
	for _, r := range am.Receivers {
		receivers[r.Name] = r
		pager[r.Name] = len(r.PagerdutyConfigs) > 0
	}
	paging := s.Settings.Alertmanager.Paging
	for _, a := range promql.RealAlerts(s) {
		ls := map[string]string{}
		for k, v := range a.Labels {
			ls[string(k)] = string(v)
		}
		d := routes.Deliver(senders, ls)
		check(d.Once() == "", "alert %s of %s does not arrive once: %s", a.Rule.Alert, a.Env, d.Once())
		for _, set := range d.Sets {
			got, _ := routes.RouteReceivers(am, promql.ToLabelSet(set.Labels))
			pages := slices.ContainsFunc(got, func(r string) bool { return pager[r] })
			envLabel, sev := ls["environment"], ls["severity"]
			switch {
			case a.Rule.Alert == "Watchdog":
				hb := s.Settings.Monitoring.Heartbeat.Receiver
				check(slices.Equal(got, []string{hb}) && len(receivers[hb].WebhookConfigs) > 0 && len(receivers[hb].SlackConfigs)+len(receivers[hb].EmailConfigs)+len(receivers[hb].PagerdutyConfigs) == 0,
					"Watchdog reaches %v, want only the heartbeat webhook %s", got, hb)
			case envLabel == "":
				check(!pages, "stack alert %s pages (%v)", a.Rule.Alert, got)
			case a.Env == "prod" && slices.Contains(paging.Environments, envLabel) && slices.Contains(paging.MustPage, sev):
				check(pages, "production's %s alert %s pages nobody (%v)", sev, a.Rule.Alert, got)
			case !slices.Contains(paging.Environments, envLabel):
				check(!pages, "alert %s of %s (environment %q, which may not page) pages (%v)", a.Rule.Alert, a.Env, envLabel, got)
			}
		}
	}
	// Exposure and host ports, from both compose files and the Caddyfile.
	var published []hostPort
	for _, p := range slices.Sorted(maps.Keys(compose)) {
		for name, svc := range compose[p].Services {
			for _, m := range svc.Ports {
				hp := parsePort(m)
				hp.service = name
				published = append(published, hp)
				if hp.ip == "" || hp.ip == "0.0.0.0" {
					check(!noLogin(svc), "service %s, which has no login, publishes %s on every interface", name, m)
				}
			}
		}
	}
	for i, a := range published {
		for _, b := range published[i+1:] {
			overlap := a.ip == b.ip || a.ip == "" || b.ip == "" || a.ip == "0.0.0.0" || b.ip == "0.0.0.0"
			check(!(a.port == b.port && a.proto == b.proto && overlap), "services %s and %s both publish host port %s/%s", a.service, b.service, a.port, a.proto)
		}
	}
	caddyfile := string(files[s.Outputs.Caddyfile.Path])
	for _, m := range regexp.MustCompile(`reverse_proxy (\S+)`).FindAllStringSubmatch(caddyfile, -1) {
		host, _, _ := net.SplitHostPort(m[1])
		svc, inStack := compose[s.Outputs.ComposeObservability.Path].Services[host]
		check(!inStack || !noLogin(svc), "the public site proxies to %s, which has no login", host)
	}
	for _, m := range regexp.MustCompile(`(?m)^http://:(\d+) \{\n\s*metrics`).FindAllStringSubmatch(caddyfile, -1) {
		for _, p := range compose[s.Outputs.ComposeProd.Path].Services["caddy"].Ports {
			check(parsePort(p).port != m[1], "Caddy serves its metrics on %s, which it publishes (%s)", m[1], p)
		}
	}
	// Retention covers every window an alert reads.
	for name, svc := range compose[s.Outputs.ComposeObservability.Path].Services {
		for _, arg := range svc.Command {
			v, ok := strings.CutPrefix(arg, "--storage.tsdb.retention.time=")
			if !ok {
				continue
			}
			keep, err := pmodel.ParseDuration(v)
			if err != nil {
				fails = append(fails, fmt.Sprintf("%s: retention %q: %v", name, v, err))
				continue
			}
			for _, g := range s.Outputs.Alerts.Rules.Groups {
				for _, rule := range g.Rules {
					w := longestWindow(rule.Expr)
					check(w <= time.Duration(keep), "%s keeps %s, shorter than the %s window of %s (%s)", name, v, w, rule.Alert, g.Env)
				}
			}
		}
	}
	return n, fails
}

// composeFile is the part of a rendered compose file the guarantees read.
type composeFile struct {
	Services map[string]composeService `yaml:"services"`
}

type composeService struct {
	Image       string            `yaml:"image"`
	Command     []string          `yaml:"command"`
	Environment map[string]string `yaml:"environment"`
	Ports       []string          `yaml:"ports"`
}

// noLogin tells whether a compose service serves a UI without a login of
// its own: Prometheus and Alertmanager always (no web config file is
// rendered), Grafana when anonymous access is on or its admin password is
// not read from a secret file.
func noLogin(svc composeService) bool {
	switch {
	case strings.HasPrefix(svc.Image, "prom/"):
		return true
	case strings.HasPrefix(svc.Image, "grafana/"):
		return svc.Environment["GF_AUTH_ANONYMOUS_ENABLED"] != "false" || svc.Environment["GF_SECURITY_ADMIN_PASSWORD__FILE"] == ""
	}
	return false
}

// hostPort is a published port: host address, host port, protocol.
type hostPort struct{ ip, port, proto, service string }

// parsePort reads Compose's short syntax [ip:]host:container[/proto].
func parsePort(m string) hostPort {
	proto := "tcp"
	if i := strings.LastIndex(m, "/"); i >= 0 {
		m, proto = m[:i], m[i+1:]
	}
	parts := strings.Split(m, ":")
	out := hostPort{port: parts[len(parts)-2], proto: proto}
	if len(parts) == 3 {
		out.ip = parts[0]
	}
	return out
}

// longestWindow is the longest range an expression reads (0 for none).
func longestWindow(expr string) time.Duration {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return 0
	}
	var longest time.Duration
	parser.Inspect(e, func(n parser.Node, _ []parser.Node) error {
		if m, ok := n.(*parser.MatrixSelector); ok && m.Range > longest {
			longest = m.Range
		}
		if sq, ok := n.(*parser.SubqueryExpr); ok && sq.Range > longest {
			longest = sq.Range
		}
		return nil
	})
	return longest
}
