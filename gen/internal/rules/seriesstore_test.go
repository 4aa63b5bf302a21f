package rules

import (
	"context"
	"os"
	"runtime"
	"testing"
	"time"

	"github.com/prometheus/prometheus/promql"

	"github.com/lms/lms-ops/gen/internal/model"
)

// TestSeriesStoreLeavesNothing: a store whose series span several chunks
// (a head chunk holds 120 samples), read through the engine as a rule
// case reads them, leaves no directory, open file or goroutine once
// closed.
func TestSeriesStoreLeavesNothing(t *testing.T) {
	fds := func() int {
		entries, err := os.ReadDir("/proc/self/fd")
		if err != nil {
			t.Skipf("no /proc/self/fd to count open files: %v", err)
		}
		return len(entries)
	}
	files, goroutines := fds(), runtime.NumGoroutine()
	const n, step = 1000, 15 * time.Second
	for range 5 {
		st, err := newSeriesStore([]model.InputSeries{
			{Series: `up{job="a"}`, Values: "1x1000"},
			{Series: `http_requests_total{job="a"}`, Values: "0+10x1000"},
		}, step, n*step)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.appendTill(n * step); err != nil {
			t.Fatal(err)
		}
		engine := promql.NewEngine(promql.EngineOpts{MaxSamples: 1e6, Timeout: time.Minute})
		q, err := engine.NewInstantQuery(context.Background(), st, nil, `sum(rate(http_requests_total[1h]))`, time.Unix(0, 0).Add(3*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		v, err := q.Exec(context.Background()).Vector()
		if err != nil || len(v) != 1 || v[0].F != 10.0/15 {
			t.Fatalf("the store gives %v (%v), want one sample of %g", v, err, 10.0/15)
		}
		q.Close()
		st.close()
		if _, err := os.Stat(st.dir); !os.IsNotExist(err) {
			t.Errorf("%s is left behind (%v)", st.dir, err)
		}
	}
	// No collection first: an unclosed file would only be closed by its
	// finalizer, after one.
	if n := fds(); n > files {
		t.Errorf("%d files open after the stores, %d before: a head's chunk directory is left open", n, files)
	}
	if n := runtime.NumGoroutine(); n > goroutines {
		t.Errorf("%d goroutines after the stores, %d before", n, goroutines)
	}
}
