//go:build mage

// Targets of lms-ops. `go run mage.go -l` lists them.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/lms/lms-ops/e2e"
	"github.com/lms/lms-ops/e2e/engine"
	"github.com/lms/lms-ops/gen"
	"github.com/lms/lms-ops/internal/bench"
	"github.com/lms/lms-ops/internal/checkrun"
)

// No soft memory limit: gen holds the whole evaluated CUE model, about
// 10 MB per environment, and once that passes a limit the garbage
// collector runs almost continuously. A 700 MiB limit (until issue 23)
// lowered the peak RSS at 30 environments from 1345 to 764 MiB but took
// 25.2 s instead of 18.6 s, and at 100 environments 3 min 36 s instead of
// about 80 s, still at 3.4 GiB. GOMEMLIMIT and GOGC still apply.

// Default is what `go run mage.go` runs without a target: gen.
var Default = Gen

// Gen renders every artifact from envs/*.cue, verifies it and writes ops/ and the compose files (all-or-nothing).
func Gen() error {
	start := time.Now()
	res, err := gen.Generate(".")
	if err != nil {
		return fmt.Errorf("gen: nothing written:\n%w", err)
	}
	for _, s := range res.Skipped {
		fmt.Println("gen:", s)
	}
	ch, err := gen.WriteChanges(".", res.Files)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	fmt.Printf("gen: %s in %s\n", ch.Summary(len(res.Files)), time.Since(start).Round(time.Millisecond))
	for _, p := range ch.Written {
		fmt.Println("  " + p)
	}
	for _, p := range ch.Removed {
		fmt.Println("  " + p + " (removed)")
	}
	return nil
}

// Crds regenerates the CUE definitions of prometheus-operator's CRDs (schema/k8s/monitoring/) from schema/k8s/crds/ with the pinned CUE CLI.
//
// The CRDs are those of settings.kubernetes.operator.version, copied from
// the example/prometheus-operator-crd/ folder of the operator's module zip
// (go mod download -json github.com/prometheus-operator/prometheus-operator@<version>).
// check's tests fail when the committed definitions differ from what this
// target generates.
func Crds() error {
	start := time.Now()
	defs, err := gen.CRDDefinitions(".")
	if err != nil {
		return fmt.Errorf("crds: %w", err)
	}
	if err := gen.WriteCRDDefinitions(".", defs); err != nil {
		return fmt.Errorf("crds: %w", err)
	}
	fmt.Printf("crds: %d definition files in %s from %s in %s\n", len(defs), gen.CRDDefsDir, gen.CRDDir, time.Since(start).Round(time.Millisecond))
	return nil
}

// Grafanaschema (maintainers, needs npm) derives the dashboard schema of versions.grafana from the npm package @grafana/schema into gen/internal/verify/grafanaschema/.
//
// Not part of gen or check, which read only the vendored file: run it after
// changing versions.grafana, when the dashboards-grafana check says the
// vendored schema is another release's. It checks the tarball against the
// registry's integrity and records its sha256 in the vendored README.
func Grafanaschema() error {
	start := time.Now()
	file, version, err := gen.GrafanaSchema(".")
	if err != nil {
		return fmt.Errorf("grafanaschema: %w", err)
	}
	fmt.Printf("grafanaschema: @grafana/schema %s written to %s/%s in %s\n", version, gen.GrafanaSchemaDir, file, time.Since(start).Round(time.Millisecond))
	return nil
}

// Diff says what the working tree changes from a git revision (-ref=REF, default HEAD), then shows each file's diff (-format=markdown: a PR comment).
//
// The summary covers alerts per environment, who each alert notifies,
// inhibitions, scraping, dashboards and compose services. It exits 0 with
// or without changes, and 1 when gen fails on either side.
func Diff(ref, format *string) error {
	r, f := "HEAD", "text"
	if ref != nil {
		r = *ref
	}
	if format != nil {
		f = *format
	}
	write := map[string]func(gen.DiffReport, io.Writer) error{
		"text":     gen.DiffReport.WriteText,
		"markdown": gen.DiffReport.WriteMarkdown,
	}[f]
	if write == nil {
		return fmt.Errorf("diff: -format=%s: want text or markdown", f)
	}
	rep, err := gen.Diff(".", r)
	if err != nil {
		return fmt.Errorf("diff: %w", err)
	}
	if err := write(*rep, os.Stdout); err != nil {
		return err
	}
	// Changes or none, the comparison worked; a side gen fails on did not.
	if len(rep.Failures) > 0 {
		return fmt.Errorf("diff: gen fails on %s", rep.Failures[0].Side)
	}
	return nil
}

// Check proves the committed output is exactly what gen renders, then runs go vet, gofmt and every test.
//
// The tool's checks are skipped when the check stamp says they passed on
// exactly this code, unless CI is set (internal/checkrun).
func Check() error {
	return checkrun.Run(checkrun.Always(os.Getenv), os.Stdout, os.Stderr)
}

// Bench measures gen: stage and check medians, the official CLI chain, 2/10/100 environments, the edit-gen-check loop, the whole suite (BENCH=stages, loop, scale or suite: one part).
func Bench() error {
	return bench.Run(os.Stdout, os.Getenv("BENCH"))
}

// Cold times gen and check (CI=true) as a new user meets them: in a clone of HEAD with empty Go, Mage and tool caches.
//
// Everything lives in a temporary directory; every check runs, and module
// downloads are included (internal/bench).
func Cold() error {
	return bench.Cold(os.Stdout)
}

// E2e runs the generated stack on the real Prometheus, Alertmanager and Caddy (built at the pinned versions) on loopback; E2E_ROOT picks another checkout.
func E2e() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	root := os.Getenv("E2E_ROOT")
	if root == "" {
		root = "."
	}
	start := time.Now()
	err := e2e.Run(ctx, e2e.Config{Root: root, Out: os.Stdout, Keep: os.Getenv("E2E_KEEP") != ""})
	fmt.Printf("e2e: %s in %s\n", map[bool]string{true: "passed", false: "FAILED"}[err == nil], time.Since(start).Round(time.Second))
	return err
}

// Engine runs the generated stack under the Docker Engine with Docker Compose v2 (built at the pinned version): images to the upstream contracts, ports, alerts, reload, crash, down/up, secrets, HA.
func Engine() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	start := time.Now()
	err := engine.Run(ctx, engine.Config{Root: ".", Out: os.Stdout, Keep: os.Getenv("E2E_KEEP") != ""})
	fmt.Printf("engine: %s in %s\n", map[bool]string{true: "passed", false: "FAILED"}[err == nil], time.Since(start).Round(time.Second))
	return err
}
