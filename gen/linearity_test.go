package gen

import (
	"runtime"
	"testing"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestLinearInEnvironments holds gen to a constant cost per environment:
// the cost of each environment added between 10 and 100 may be at most
// 1.5 times that of each added between 2 and 10. Cost is counted in heap
// allocations over the whole Run (load, render, every check): unlike time,
// they do not depend on the machine or what else runs on it, and CUE's
// evaluator and the checks allocate in proportion to the work they do, so a
// loop over pairs of environments shows as a per-environment cost that
// grows with their number. Not parallel: the count is the process's.
func TestLinearInEnvironments(t *testing.T) {
	sizes := []int{2, 10, 100}
	allocs := map[int]float64{}
	for _, n := range sizes {
		root := testfix.Copy(t)
		if err := AddEnvironments(root, n); err != nil {
			t.Fatal(err)
		}
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		if _, err := Run(root, Options{}); err != nil {
			t.Fatalf("%d environments: %v", n, err)
		}
		runtime.ReadMemStats(&after)
		allocs[n] = float64(after.Mallocs - before.Mallocs)
	}
	small := (allocs[10] - allocs[2]) / 8
	large := (allocs[100] - allocs[10]) / 90
	t.Logf("allocations: %.0f, %.0f, %.0f for 2, 10, 100 environments; per environment %.0f (2→10), %.0f (10→100), ratio %.2f",
		allocs[2], allocs[10], allocs[100], small, large, large/small)
	if large > 1.5*small {
		t.Errorf("each environment between 10 and 100 costs %.0f allocations, %.2f times the %.0f of each between 2 and 10 (at most 1.5): something in gen grows faster than the environments", large, large/small, small)
	}
}
