package liveguard

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestLiveReads: a test log that shows a live file read is caught, with
// its path relative to the repository root; fixture reads are not.
func TestLiveReads(t *testing.T) {
	log := filepath.Join(t.TempDir(), "testlog.txt")
	data := "# test log\n" +
		"open ../../../envs/prod/alerts.cue\n" +
		"stat ../../../testdata/stack/envs/prod/alerts.cue\n" +
		"getenv HOME\n" +
		"open ../../../ops/caddy/Caddyfile\n" +
		"open ../../../envs/prod/alerts.cue\n"
	if err := os.WriteFile(log, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := liveReads(log)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"envs/prod/alerts.cue", "ops/caddy/Caddyfile"}; !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestGuardWithoutCache: a test that reads a live file fails under Guard
// with Go's test cache off (-count=1, when go test keeps no test log) as
// with it on.
func TestGuardWithoutCache(t *testing.T) {
	for _, args := range [][]string{{"-count=1"}, {}} {
		cmd := exec.Command("go", append(append([]string{"test"}, args...), "./testdata/livereader")...)
		out, err := cmd.CombinedOutput()
		if err == nil {
			t.Errorf("go test %v of a test reading envs/stack.cue passed:\n%s", args, out)
			continue
		}
		if !strings.Contains(string(out), "envs/stack.cue") {
			t.Errorf("go test %v failed without naming the live file:\n%s", args, out)
		}
	}
}
