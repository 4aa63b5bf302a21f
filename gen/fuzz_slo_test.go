package gen

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lms/lms-ops/gen/internal/model"
)

// sloValues are random SLOs an operator could set for one environment:
// objectives from 95 to 99.999 (log-uniform in the budget, so every
// number of nines is drawn), periods of a week to 30 days, latency
// thresholds a bucket of the catalog. With bad set, one value is one the
// schema must refuse: an objective of 100 or written as a share, one too
// low for the page to fire, a period longer than retention or shorter
// than the longest window, a threshold between two buckets.
func sloValues(r *rand.Rand, bad bool) string {
	budget := func() float64 { return math.Exp(math.Log(0.001) + r.Float64()*(math.Log(5)-math.Log(0.001))) }
	num := func(f float64) string { return strconv.FormatFloat(f, 'g', 6, 64) }
	periods := []string{"7d", "14d", "28d", "30d", "4w", "1w"}
	buckets := []string{"0.05", "0.1", "0.25", "0.5", "1", "2.5", "5"}
	v := []string{num(100 - budget()), periods[r.IntN(len(periods))], num(100 - budget()), buckets[r.IntN(len(buckets))], periods[r.IntN(len(periods))]}
	if bad {
		mistakes := [][2]string{{"0", "100"}, {"0", "0.999"}, {"2", "92"}, {"1", "60d"}, {"4", "2d"}, {"3", num(0.3 + r.Float64()/10)}}
		m := mistakes[r.IntN(len(mistakes))]
		i, _ := strconv.Atoi(m[0])
		v[i] = m[1]
	}
	return fmt.Sprintf("package env\n\nslos: {\n\tavailability: {objective: %s, period: %q}\n\tlatency: {objective: %s, threshold: %s, period: %q}\n}\n", v[0], v[1], v[2], v[3], v[4])
}

// TestSLOFuzz draws 10 random sets of SLOs for both environments of the
// fixture (half of them with one value the schema must refuse). For each, gen either refuses a value at the operator's line
// (envs/<env>/slos.cue) with a reason, or renders files on which `promtool
// test rules` passes every SLO case, and whose rules sloth's generator
// agrees with: the same windows and factors, every difference a known one.
func TestSLOFuzz(t *testing.T) {
	t.Parallel()
	start := time.Now()
	root, err := filepath.Abs(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(24, 2026))
	draws := make([]map[string][]byte, 10)
	for i := range draws {
		draws[i] = map[string][]byte{}
		// Half the draws have one value the schema must refuse.
		bad := r.IntN(4)
		for j, env := range []string{"prod", "staging"} {
			draws[i][filepath.Join(root, "envs", env, "slos.cue")] = []byte(sloValues(r, bad == j))
		}
	}
	results := make([]*Result, len(draws))
	errs := make([]error, len(draws))
	next := make(chan int)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				results[i], errs[i] = Run(root, Options{Overlay: draws[i], Skip: thresholdSkip})
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
		if err != nil {
			refused++
			sloRefusedAtTheLine(t, i, err, draws[i])
			continue
		}
		passed++
		sloAgreed(t, i, results[i], draws[i])
	}
	t.Logf("%d draws passed (promtool and sloth agreeing), %d were refused at the operator's line; %v", passed, refused, time.Since(start).Round(time.Second))
	if passed == 0 || refused == 0 {
		t.Errorf("%d passed, %d refused: the draws do not exercise both outcomes", passed, refused)
	}
}

// sloRefusedAtTheLine: every problem of a refused draw is at a line of an
// environment's files, with a reason.
func sloRefusedAtTheLine(t *testing.T, i int, err error, draw map[string][]byte) {
	t.Helper()
	ps, ok := err.(Problems)
	if !ok {
		t.Errorf("draw %d: gen fails without problems: %v\n%s", i, err, overlayText(draw))
		return
	}
	for _, p := range ps {
		if !model.IsEnvFile(p.Pos) && !strings.HasPrefix(p.Msg, "and ") {
			t.Errorf("draw %d: a problem not at the operator's line:\n%s\nvalues:\n%s", i, p, overlayText(draw))
		}
	}
}

// sloAgreed: on the files of an accepted draw, promtool passes the SLO
// cases, and sloth generates the same windows and factors.
func sloAgreed(t *testing.T, i int, res *Result, draw map[string][]byte) {
	t.Helper()
	root := copyRepo(t)
	for p, data := range draw {
		rel, _ := filepath.Rel(fixtureRoot, p)
		if err := os.WriteFile(filepath.Join(root, rel), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(root, res.Files); err != nil {
		t.Fatal(err)
	}
	abs := filepath.Join(root, res.Model.Stack.Outputs.RuleTests.Path)
	if out, err := exec.Command(promtoolRules(t), "test", "rules", "--run", "burn at|no traffic", abs).CombinedOutput(); err != nil {
		t.Errorf("draw %d: gen passes, promtool fails the SLO cases: %v\n%s\nvalues:\n%s", i, err, out, overlayText(draw))
	}
	for _, d := range compareWithSloth(res.Model.Stack, slothRules(t, root, res.Model.Stack)) {
		if _, known := slothDifferences[d.kind]; !known {
			t.Errorf("draw %d: sloth disagrees: %s\nvalues:\n%s", i, d, overlayText(draw))
		}
	}
}
