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

// TestOperatorValuesFuzz draws 100 random combinations of thresholds,
// windows and `for` durations for both environments of the fixture. For
// each, gen either passes, or fails with every problem at the operator's
// own file (envs/<env>/) and a reason: it never blames a shared file, a
// rule test or a parser for a value the schema let through.
func TestOperatorValuesFuzz(t *testing.T) {
	root, err := filepath.Abs(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(9, 2026))
	draws := make([]map[string][]byte, 100)
	for i := range draws {
		draws[i] = map[string][]byte{}
		for _, env := range []string{"prod", "staging"} {
			draws[i][filepath.Join(root, "envs", env, "alerts.cue")] = []byte(operatorValues(r))
		}
	}
	// The draws change thresholds, windows and `for` only: the Kubernetes
	// copy of the rules they change is held to alerts.yml by k8s-rules, so
	// the operator's translation (k8s-operator, k8s-rbac, k8s-routes: a run
	// of the oracle each) is left to TestOperatorTranslation and the bad
	// edits.
	skip := map[string]string{"k8s-operator": "operator values change no Kubernetes object but the rules"}
	// The draws are independent: run them on every core.
	errs := make([]error, len(draws))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				_, errs[i] = Run(root, Options{Overlay: draws[i], Skip: skip})
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
	t.Logf("%d draws passed, %d were refused at the operator's line", passed, refused)
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
