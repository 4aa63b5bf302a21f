package verify

import (
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestVersionsCheck: the check passes when the linked libraries are the
// pinned releases, and fires, at the pin's line, when a library or the
// Caddy validator is another release.
func TestVersionsCheck(t *testing.T) {
	m, err := model.Load(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	if ps := checkVersions(m, nil); len(ps) > 0 {
		t.Fatalf("the fixture's pins fail against the linked libraries:\n%v", ps)
	}
	linked, caddy := linkedVersion, caddyVersion
	t.Cleanup(func() { linkedVersion, caddyVersion = linked, caddy })
	for _, tc := range []struct {
		name   string
		module string
		linked string
		want   string
	}{
		{"Prometheus library moved", prometheusModule, "v0.55.0", `prometheus is "v2.54.1", but gen validates with github.com/prometheus/prometheus v0.55.0`},
		{"Alertmanager library moved", alertmanagerModule, "v0.28.1", `alertmanager is "v0.27.0", but gen validates with github.com/prometheus/alertmanager v0.28.1`},
		{"Caddy validator moved", caddyModule, "v2.10.0", `caddy is "2.11.9-alpine", but tools/caddycheck validates the Caddyfile with Caddy v2.10.0`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			linkedVersion = func(mod string) string {
				if mod == tc.module {
					return tc.linked
				}
				return linked(mod)
			}
			caddyVersion = func(root string) (string, error) {
				if tc.module == caddyModule {
					return tc.linked, nil
				}
				return caddy(root)
			}
			ps := checkVersions(m, nil)
			if len(ps) != 1 || !strings.Contains(ps[0].Msg, tc.want) || !strings.HasPrefix(ps[0].Pos, "envs/stack.cue:") {
				t.Fatalf("want one problem at envs/stack.cue saying %q, got:\n%v", tc.want, ps)
			}
			if tc.module == prometheusModule && !strings.Contains(rejects("Prometheus", prometheusModule), "Prometheus v2.55.0 rejects it") {
				t.Errorf("parser messages quote %q, not the linked release", rejects("Prometheus", prometheusModule))
			}
		})
	}
}
