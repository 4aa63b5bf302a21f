package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// operatorValues are random thresholds, windows and `for` durations an
// operator could set, drawn over the ranges Prometheus setups use: ratios
// from 0.0001 to 1, p95 from 1 ms to 300 s, rates from 0.01 to 1000 req/s,
// windows from 10 s to 1 d, `for` from 0 s to 1 d (log-uniform, so that
// every order of magnitude is drawn).
func operatorValues(r *rand.Rand) string {
	logUniform := func(lo, hi float64) float64 {
		return math.Exp(math.Log(lo) + r.Float64()*(math.Log(hi)-math.Log(lo)))
	}
	num := func(lo, hi float64) string {
		return strconv.FormatFloat(logUniform(lo, hi), 'g', 3, 64)
	}
	dur := func(lo, hi float64) string {
		if lo == 0 && r.IntN(8) == 0 {
			return "0s"
		}
		s := int(logUniform(max(lo, 1), hi))
		switch {
		case s >= 3600 && s%3600 == 0 || s >= 86400:
			return strconv.Itoa(s/3600) + "h"
		case s >= 600:
			return strconv.Itoa(s/60) + "m"
		}
		return strconv.Itoa(s) + "s"
	}
	day := 86400.0
	ratio := num(0.0001, 1)
	if r.IntN(10) == 0 {
		ratio = "1"
	}
	return fmt.Sprintf(`package env

alerts: {
	LMSApiDown: for: %q
	LMSHighErrorRate: {threshold: %s, window: %q, for: %q}
	LMSHighP95Latency: {threshold: %s, window: %q, for: %q}
	LMSRateLimitSpike: {threshold: %s, window: %q, for: %q}
}
`, dur(0, day),
		ratio, dur(10, day), dur(0, day),
		num(0.001, 300), dur(10, day), dur(0, day),
		num(0.01, 1000), dur(10, day), dur(0, day))
}

// thresholdSkip are the checks a threshold, window or `for` cannot change,
// each with the reason; gen runs every other one, so "gen accepts" is
// gen's verdict on what the draw changes.
var thresholdSkip = map[string]string{
	"caddyfile":          "the Caddyfile reads no threshold",
	"compose-mounts":     "the compose files read no threshold",
	"compose-spec":       "the compose files read no threshold",
	"compose-runtime":    "the compose files read no threshold",
	"exposure":           "the compose files and the Caddyfile read no threshold",
	"service-addresses":  "no address reads a threshold",
	"no-secrets":         "a threshold is a number of three significant digits, never shaped like a key",
	"workflow":           "the CI workflow reads no threshold",
	"runbooks":           "the alert names are not drawn",
	"routes-to-receiver": "routing reads the alerts' labels, which no threshold changes",
	"inhibitions":        "inhibitions read the alerts' labels, which no threshold changes",
	"route-tests":        "routing reads the alerts' labels, which no threshold changes",
	"delivered-once":     "what Alertmanager receives depends on labels, not thresholds",
	"k8s-objects":        "the Kubernetes objects' kinds read no threshold",
	"k8s-prometheus":     "the Kubernetes objects' wiring reads no threshold",
	"k8s-selectors":      "the Kubernetes objects' wiring reads no threshold",
	"k8s-scrape-jobs":    "the ScrapeConfigs read no threshold",
	"k8s-datasource":     "the datasource reads no threshold",
	"k8s-dashboards":     "the dashboards' ConfigMaps hold the rendered dashboards, checked by dashboards",
	"k8s-rules":          "the PrometheusRule's groups are alerts.yml's, checked by rule-files",
	"k8s-alertmanager":   "alertmanager.yml reads no threshold",
	"k8s-routes":         "routing reads the alerts' labels, which no threshold changes",
	// The Kubernetes copy of the rules is held to alerts.yml by k8s-rules;
	// the operator's translation (a run of the oracle) is left to
	// TestOperatorTranslation and the bad edits.
	"k8s-operator": "operator values change no Kubernetes object but the rules",
	"k8s-rbac":     "operator values change no Kubernetes object but the rules",
	"versions":     "the versions are not drawn",
}

// fuzzBatch is how many draws of TestOperatorValuesFuzz share one CUE
// evaluation of the stack.
const fuzzBatch = 10

// TestOperatorValuesFuzz draws 200 random combinations of thresholds,
// windows and `for` durations for both environments of the fixture. For
// each, gen either passes, or fails with every problem at the operator's
// own file (envs/<env>/) and a reason: it never blames a shared file, a
// rule test or a parser for a value the schema let through.
//
// The draws only change environments, so they share the stack: each batch
// of fuzzBatch draws is one stack where every draw has its own copy of the
// fixture's prod and staging (own job, label, channel and target), and a
// draw's verdict is what gen says at its own environments' lines. Gen
// checks every environment on its own before the stack, and the checks
// report every problem, so a refused draw is dropped and the batch run
// again until what is left passes: every draw is judged by a run in which
// it is the only thing refused, or by one that passes.
func TestOperatorValuesFuzz(t *testing.T) {
	t.Parallel()
	start := time.Now()
	r := rand.New(rand.NewPCG(9, 2026))
	draws := make([]map[string]string, 200)
	for i := range draws {
		draws[i] = map[string]string{}
		for _, env := range []string{"prod", "staging"} {
			draws[i][env] = operatorValues(r)
		}
	}
	refused := make([]bool, len(draws))
	next := make(chan []int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for batch := range next {
				for _, i := range fuzzValuesBatch(t, draws, batch) {
					refused[i] = true
				}
			}
		})
	}
	for b := 0; b < len(draws); b += fuzzBatch {
		var batch []int
		for i := b; i < min(b+fuzzBatch, len(draws)); i++ {
			batch = append(batch, i)
		}
		next <- batch
	}
	close(next)
	wg.Wait()
	n := 0
	for _, r := range refused {
		if r {
			n++
		}
	}
	t.Logf("%d draws passed, %d were refused at the operator's line; %v", len(draws)-n, n, time.Since(start).Round(time.Second))
	if n == 0 || n == len(draws) {
		t.Errorf("%d passed, %d refused: the draws do not exercise both outcomes", len(draws)-n, n)
	}
}

// fuzzValuesBatch judges the draws of batch in one stack and returns the
// ones gen refuses; a problem not at a draw's own lines fails the test.
func fuzzValuesBatch(t *testing.T, draws []map[string]string, batch []int) []int {
	root := testfix.Copy(t)
	amFile := filepath.Join(root, "envs", "alertmanager.cue")
	amText, err := os.ReadFile(amFile)
	if err != nil {
		t.Error(err)
		return nil
	}
	envOf := map[string]int{} // environment directory → draw
	for _, i := range batch {
		for k, env := range []string{"prod", "staging"} {
			name := fmt.Sprintf("d%03d-%s", i, env)
			envOf[name] = i
			if err := CopyEnvironment(root, env, name, 30000+2*i+k); err != nil {
				t.Error(err)
				return nil
			}
			if err := os.WriteFile(filepath.Join(root, "envs", name, "alerts.cue"), []byte(draws[i][env]), 0o644); err != nil {
				t.Error(err)
				return nil
			}
		}
	}
	for _, env := range []string{"prod", "staging"} {
		if err := os.RemoveAll(filepath.Join(root, "envs", env)); err != nil {
			t.Error(err)
			return nil
		}
	}
	var refused []int
	for len(envOf) > 0 {
		// The production copies page, as prod does.
		var paging []string
		for name := range envOf {
			if strings.HasSuffix(name, "-prod") {
				paging = append(paging, strconv.Quote(name))
			}
		}
		slices.Sort(paging)
		am := strings.Replace(string(amText), `environments: ["production"]`, "environments: ["+strings.Join(paging, ", ")+"]", 1)
		if err := os.WriteFile(amFile, []byte(am), 0o644); err != nil {
			t.Error(err)
			return refused
		}
		_, err := Run(root, Options{Skip: thresholdSkip})
		if err == nil {
			return refused
		}
		ps, ok := err.(Problems)
		if !ok {
			t.Errorf("draws %v: gen fails without problems: %v", batch, err)
			return refused
		}
		now := map[int]bool{}
		for _, p := range ps {
			if strings.HasPrefix(p.Msg, "and ") {
				continue
			}
			dir, _, _ := strings.Cut(strings.TrimPrefix(p.Pos, "envs/"), "/")
			i, ok := envOf[dir]
			if !model.IsEnvFile(p.Pos) || !ok {
				t.Errorf("draws %v: a problem not at the operator's line:\n%s", batch, p)
				return refused
			}
			now[i] = true
		}
		if len(now) == 0 {
			t.Errorf("draws %v: gen fails, at no draw's line:\n%v", batch, err)
			return refused
		}
		for i := range now {
			refused = append(refused, i)
			for _, env := range []string{"prod", "staging"} {
				name := fmt.Sprintf("d%03d-%s", i, env)
				delete(envOf, name)
				if err := os.RemoveAll(filepath.Join(root, "envs", name)); err != nil {
					t.Error(err)
					return refused
				}
			}
		}
	}
	return refused
}

func overlayText(overlay map[string][]byte) string {
	var b strings.Builder
	for p, data := range overlay {
		fmt.Fprintf(&b, "%s:\n%s", filepath.Base(filepath.Dir(p)), data)
	}
	return b.String()
}
