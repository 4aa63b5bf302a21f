package e2e

import (
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue/ast"

	"github.com/lms/lms-ops/gen"
)

// root is the fixture stack (testdata/stack), never the live envs/.
const root = "../testdata/stack"

// TestOverlay: the overlay changes exactly the overridden fields, the model
// still loads, and an override that finds no field is an error.
func TestOverlay(t *testing.T) {
	overlay, err := Overlay(root, []Override{
		{Dir: "envs/prod", Path: "target", Value: ast.NewString("127.0.0.1:1234")},
		{Dir: "envs/prod", Path: "alerts.LMSApiDown.for", Value: ast.NewString("10s")},
		{Dir: "envs", Path: "settings.prometheus.scrape_interval", Value: ast.NewString("1s")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(overlay) != 3 {
		t.Fatalf("overlay changes %d files, want 3", len(overlay))
	}
	m, err := gen.LoadWith(root, overlay)
	if err != nil {
		t.Fatal(err)
	}
	committed, err := gen.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	if got := m.Stack.Envs["prod"].Target; got != "127.0.0.1:1234" {
		t.Errorf("prod target = %q", got)
	}
	if got := m.Stack.Envs["prod"].Alerts["LMSApiDown"].For; got != "10s" {
		t.Errorf("prod LMSApiDown for = %q", got)
	}
	if got := m.Stack.Outputs.Prometheus.Config.Global.ScrapeInterval; got != "1s" {
		t.Errorf("scrape interval = %q", got)
	}
	if got, want := m.Stack.Envs["staging"], committed.Stack.Envs["staging"]; got.Target != want.Target {
		t.Errorf("staging changed: %q, want %q", got.Target, want.Target)
	}
	if err := sameExpressions(committed.Stack, m.Stack); err != nil {
		t.Error(err)
	}
	abs, _ := filepath.Abs(filepath.Join(root, "envs/prod/env.cue"))
	if !strings.Contains(string(overlay[abs]), `"127.0.0.1:1234"`) {
		t.Errorf("overlay of envs/prod/env.cue:\n%s", overlay[abs])
	}

	if _, err := Overlay(root, []Override{{Dir: "envs/prod", Path: "targett", Value: ast.NewString("x")}}); err == nil || !strings.Contains(err.Error(), "found 0 times") {
		t.Errorf("unknown field: err = %v", err)
	}
}
