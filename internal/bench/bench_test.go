package bench

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/lms/lms-ops/gen"
)

// TestMedian: the middle value whatever the order, the upper middle of an
// even count, and the input left as it was.
func TestMedian(t *testing.T) {
	ds := []time.Duration{5, 1, 4, 2, 3}
	if got := median(ds); got != 3 {
		t.Errorf("median = %v, want 3", got)
	}
	if !slices.Equal(ds, []time.Duration{5, 1, 4, 2, 3}) {
		t.Errorf("median sorted its input: %v", ds)
	}
	if got := median([]time.Duration{4, 1, 3, 2}); got != 3 {
		t.Errorf("median of an even count = %v, want 3", got)
	}
}

// TestRatios: the factors and the per-environment costs the bench prints.
func TestRatios(t *testing.T) {
	if got := ratio(3*time.Second, 2*time.Second); got != 1.5 {
		t.Errorf("ratio = %v, want 1.5", got)
	}
	small, large := gen.PerEnvironment(map[int]time.Duration{
		2: 2 * time.Second, 10: 2*time.Second + 800*time.Millisecond, 100: 2*time.Second + 800*time.Millisecond + 18*time.Second,
	})
	if small != 100*time.Millisecond || large != 200*time.Millisecond {
		t.Errorf("PerEnvironment = %v, %v; want 100ms, 200ms", small, large)
	}
	if got := ratio(large, small); got != 2 {
		t.Errorf("ratio of the costs = %v, want 2", got)
	}
}

// TestTestsRun: only the packages go test ran, not those from its cache
// nor those without tests, fail the loop's cache check.
func TestTestsRun(t *testing.T) {
	out := "ok  \tgithub.com/lms/lms-ops/gen\t(cached)\n" +
		"ok  \tgithub.com/lms/lms-ops/gen/internal/model\t0.8s\n" +
		"?   \tgithub.com/lms/lms-ops/gen/internal/gitref\t[no test files]\n" +
		"ok  \tgithub.com/lms/lms-ops/internal/bench\t0.01s\n"
	want := []string{"github.com/lms/lms-ops/gen/internal/model", "github.com/lms/lms-ops/internal/bench"}
	if got := testsRun([]byte(out)); !slices.Equal(got, want) {
		t.Errorf("testsRun = %v, want %v", got, want)
	}
}

// TestTail: the last lines, ending in one newline, or all when fewer.
func TestTail(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a\nb\nc\nd\n", 3, "b\nc\nd\n"},
		{"a\nb", 3, "a\nb\n"},
		{"a\nb\nc\n\n", 1, "c\n"},
	} {
		if got := tail(tc.in, tc.n); got != tc.want {
			t.Errorf("tail(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

// TestTable: the summary is a Markdown table, a row per figure in the
// order added, and nothing when no figure was measured.
func TestTable(t *testing.T) {
	var b strings.Builder
	var tb table
	tb.print(&b)
	if b.String() != "" {
		t.Errorf("an empty table prints %q", b.String())
	}
	tb.add("gen, 100 environments", "%s (%.1f×)", 12*time.Second, 8.0)
	tb.add("the suite", "%s", 90*time.Second)
	tb.print(&b)
	want := "\n| figure | now |\n|---|---|\n| gen, 100 environments | 12s (8.0×) |\n| the suite | 1m30s |\n"
	if b.String() != want {
		t.Errorf("table prints\n%s\nwant\n%s", b.String(), want)
	}
}
