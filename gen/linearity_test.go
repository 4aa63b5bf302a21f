package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// scaleCost is what one run of gen costs on a model, counted rather than
// timed: unlike time, counts do not depend on the machine or on what else
// runs on it.
type scaleCost struct {
	// Allocs are the heap allocations of the whole Run (load, render,
	// every check): CUE's evaluator and the checks allocate in proportion
	// to the work they do.
	Allocs float64
	// Live is the heap in use once the model is loaded, after a
	// collection: the evaluated CUE model, which the garbage collector
	// scans at every cycle until gen ends. A heap that grows faster than
	// the environments makes every collection slower as well.
	Live float64
}

// scaleChildEnv names the model TestScaleChild measures; set, the test
// binary runs as TestLinearInEnvironments's child.
const scaleChildEnv = "LMS_OPS_SCALE_ROOT"

// TestLinearInEnvironments holds gen to a constant cost per environment:
// each environment added between 10 and 100 may cost at most 1.5 times
// each added between 2 and 10, in allocations and in live heap. Each size
// runs in a process of its own (TestScaleChild), so that the counts are
// gen's alone while the other tests run beside it.
func TestLinearInEnvironments(t *testing.T) {
	t.Parallel()
	at := map[int]scaleCost{}
	for _, n := range ScaleSizes {
		root := testfix.Copy(t)
		if err := AddEnvironments(root, n); err != nil {
			t.Fatal(err)
		}
		c, err := measureScale(root)
		if err != nil {
			t.Fatalf("%d environments: %v", n, err)
		}
		at[n] = c
	}
	for _, m := range []struct {
		name string
		of   func(scaleCost) float64
	}{
		{"allocations", func(c scaleCost) float64 { return c.Allocs }},
		{"bytes of live heap", func(c scaleCost) float64 { return c.Live }},
	} {
		costs := map[int]float64{}
		for n, c := range at {
			costs[n] = m.of(c)
		}
		small, large, err := linearity(costs)
		t.Logf("%s: %.0f, %.0f, %.0f for 2, 10, 100 environments; per environment %.0f (2→10), %.0f (10→100), ratio %.2f",
			m.name, costs[2], costs[10], costs[100], small, large, large/small)
		if err != nil {
			t.Errorf("%s: %v", m.name, err)
		}
	}
}

// linearity is what each environment costs between 2 and 10 environments
// and between 10 and 100, from the costs at each count, and an error when
// the second is over 1.5 times the first: something grows faster than the
// environments.
func linearity(at map[int]float64) (small, large float64, err error) {
	small, large = PerEnvironment(at)
	if large > 1.5*small {
		err = fmt.Errorf("each environment between 10 and 100 costs %.0f, %.2f times the %.0f of each between 2 and 10 (at most 1.5): something in gen grows faster than the environments", large, large/small, small)
	}
	return small, large, err
}

// TestLinearity: the verdict passes a cost linear in the environments, and
// fails one that grows with their square, or with a pair loop beside a
// large per-environment cost.
func TestLinearity(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		cost func(n float64) float64
		ok   bool
	}{
		{"linear", func(n float64) float64 { return 5e6 + 1e6*n }, true},
		{"linear, with a fixed cost above it", func(n float64) float64 { return 5e8 + 1e6*n }, true},
		{"quadratic", func(n float64) float64 { return 5e6 + 1e4*n*n }, false},
		{"a pair loop beside the rest", func(n float64) float64 { return 5e6 + 1e6*n + 1e4*n*n }, false},
	} {
		at := map[int]float64{}
		for _, n := range ScaleSizes {
			at[n] = tc.cost(float64(n))
		}
		if _, _, err := linearity(at); (err == nil) != tc.ok {
			t.Errorf("%s: linearity gives %v, want ok=%v", tc.name, err, tc.ok)
		}
	}
}

// measureScale runs TestScaleChild on the model under root in a process
// of its own and returns what it counted.
func measureScale(root string) (scaleCost, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestScaleChild$", "-test.v", "-test.timeout=20m")
	// Go's default collector: the counts do not depend on it, and under
	// this package's GOGC=400 (main_test.go, set for many small gens) the
	// child of 100 environments grew to 5.7 GiB, clearing fresh memory for
	// a seventh of its CPU; at GOGC=100 the test peaks at 2.2 GiB and
	// takes 34 s and 59 s of CPU, against 36 s and 63 s.
	cmd.Env = append(os.Environ(), scaleChildEnv+"="+root, "GOGC=100")
	out, err := cmd.CombinedOutput()
	if err != nil {
		return scaleCost{}, fmt.Errorf("%v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if _, data, ok := strings.Cut(line, "scale cost: "); ok {
			var c scaleCost
			return c, json.Unmarshal([]byte(data), &c)
		}
	}
	return scaleCost{}, fmt.Errorf("no cost in the child's output:\n%s", out)
}

// TestScaleChild is TestLinearInEnvironments's measurement of one size:
// it runs only as its child, on the model scaleChildEnv names.
func TestScaleChild(t *testing.T) {
	root := os.Getenv(scaleChildEnv)
	if root == "" {
		t.Skip("runs as TestLinearInEnvironments's child only")
	}
	var c scaleCost
	runtime.GC()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	res, err := Run(root, Options{Observe: func(step string, _ time.Duration) {
		if step == "load" {
			var ms runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&ms)
			c.Live = float64(ms.HeapAlloc)
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := len(res.Model.Stack.Envs); (n > keepValuesUpTo) != res.Model.Released() {
		t.Fatalf("%d environments: the CUE values are released: %v, want %v (keepValuesUpTo %d)", n, res.Model.Released(), n > keepValuesUpTo, keepValuesUpTo)
	}
	// The collection at load allocates nothing the count would see.
	c.Allocs = float64(after.Mallocs - before.Mallocs)
	data, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("scale cost: %s", data)
}
