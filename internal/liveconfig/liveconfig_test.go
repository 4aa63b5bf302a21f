package liveconfig

import "testing"

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
