package liveconfig

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestIsLive(t *testing.T) {
	for rel, want := range map[string]bool{
		"envs/prod/alerts.cue":               true,
		"envs/alerts.cue":                    true,
		"ops/caddy/Caddyfile":                true,
		"docker-compose.observability.yml":   true,
		"docs/runbooks.md":                   true,
		".github/workflows/check.yml":        true,
		"testdata/stack/docs/runbooks.md":    false,
		"testdata/stack/envs/prod/env.cue":   false,
		"testdata/stack/ops/caddy/Caddyfile": false,
		"schema/env.cue":                     false,
		"gen/load.go":                        false,
	} {
		if got := IsLive(rel); got != want {
			t.Errorf("IsLive(%q) = %v, want %v", rel, got, want)
		}
	}
}

// TestLiveReads: a test log that shows a live file read is caught, with
// its path relative to the repository root; fixture reads are not.
func TestLiveReads(t *testing.T) {
	log := filepath.Join(t.TempDir(), "testlog.txt")
	data := "# test log\n" +
		"open ../../envs/prod/alerts.cue\n" +
		"stat ../../testdata/stack/envs/prod/alerts.cue\n" +
		"getenv HOME\n" +
		"open ../../ops/caddy/Caddyfile\n" +
		"open ../../envs/prod/alerts.cue\n"
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
