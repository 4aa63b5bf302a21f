package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lms/lms-ops/gen/internal/model"
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
	"k8s-objects":        "the Kubernetes objects' wiring reads no threshold",
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

// TestOperatorValuesFuzz draws 200 random combinations of thresholds,
// windows and `for` durations for both environments of the fixture. For
// each, gen either passes, or fails with every problem at the operator's
// own file (envs/<env>/) and a reason: it never blames a shared file, a
// rule test or a parser for a value the schema let through.
func TestOperatorValuesFuzz(t *testing.T) {
	t.Parallel()
	start := time.Now()
	root, err := filepath.Abs(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 2026))
	draws := make([]map[string][]byte, 200)
	for i := range draws {
		draws[i] = map[string][]byte{}
		for _, env := range []string{"prod", "staging"} {
			draws[i][filepath.Join(root, "envs", env, "alerts.cue")] = []byte(operatorValues(r))
		}
	}
	// The draws are independent: run them on every core.
	errs := make([]error, len(draws))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				_, errs[i] = Run(root, Options{Overlay: draws[i], Skip: thresholdSkip})
			}
		})
	}
	for i := range draws {
		next <- i
	}
	close(next)
	wg.Wait()
	passed, refused := 0, 0
	for i, err := range errs {
		if err == nil {
			passed++
			continue
		}
		refused++
		ps, ok := err.(Problems)
		if !ok {
			t.Errorf("draw %d: gen fails without problems: %v\n%s", i, err, overlayText(draws[i]))
			continue
		}
		for _, p := range ps {
			if !model.IsEnvFile(p.Pos) && !strings.HasPrefix(p.Msg, "and ") {
				t.Errorf("draw %d: a problem not at the operator's line:\n%s\nvalues:\n%s", i, p, overlayText(draws[i]))
			}
		}
	}
	t.Logf("%d draws passed, %d were refused at the operator's line; %v", passed, refused, time.Since(start).Round(time.Second))
	if passed == 0 || refused == 0 {
		t.Errorf("%d passed, %d refused: the draws do not exercise both outcomes", passed, refused)
	}
}

func overlayText(overlay map[string][]byte) string {
	var b strings.Builder
	for p, data := range overlay {
		fmt.Fprintf(&b, "%s:\n%s", filepath.Base(filepath.Dir(p)), data)
	}
	return b.String()
}
