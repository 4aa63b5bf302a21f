// Package gen is the lms-ops pipeline, the facade Mage and e2e call. It
// runs one way:
//
//	load (internal/model) → render (internal/render, internal/rules'
//	promtool file) → verify (internal/verify, with the rule and route
//	harnesses) → write or compare (internal/output)
//
// and returns its result as a value. Nothing in it stops at the first
// problem, and nothing writes before everything is verified.
package gen

import (
	"cmp"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/routes"
	"github.com/lms/lms-ops/gen/internal/rules"
	"github.com/lms/lms-ops/gen/internal/verify"
)

// Result is what one run of the pipeline produces.
type Result struct {
	Model *model.Model
	// Files are every generated file, sorted by path.
	Files []output.File
	// Skipped are the hand-written rule tests whose precondition does not
	// hold for the configured values, each with the reason.
	Skipped []string
}

// Options adapt a run to its caller.
type Options struct {
	// Overlay replaces CUE files, by absolute path (e2e's laptop values).
	Overlay map[string][]byte
	// Skip names checks that do not apply to the run, each with the reason
	// (e2e runs the stack on loopback, not on the compose network).
	Skip map[string]string
	// Observe, when set, is told how long each stage and each check took.
	Observe func(step string, took time.Duration)
}

// Generate runs the pipeline on the model under root. It writes nothing: on
// success the caller writes (Write) or compares (Compare) the files; on
// failure every problem found is returned.
func Generate(root string) (*Result, error) {
	return Run(root, Options{})
}

// keepValuesUpTo is the largest number of environments whose evaluated
// CUE values a run keeps while it renders and checks. Letting them go made
// every run with problems evaluate the model again to locate them
// (TestBadEdits, on two environments: 72 s of user CPU against 60 s),
// while at two environments keeping them costs no measurable CPU
// (TestSettingsFuzz's 200 gens: 57 s and 58 s). They are about 10 MB per
// environment (12 MiB when these figures were taken), and the heap grows
// to twice what it keeps: at 10 environments gen's peak was 525 MiB kept
// against 292 MiB released, and at 100, 4.2 GiB against 2.3 GiB.
const keepValuesUpTo = 4

// Run is Generate with options.
func Run(root string, opt Options) (*Result, error) {
	observe := opt.Observe
	if observe == nil {
		observe = func(string, time.Duration) {}
	}
	start := time.Now()
	if ps, err := model.ValuesOnly(root, opt.Overlay); err != nil || len(ps) > 0 {
		return nil, cmp.Or[error](err, ps)
	}
	m, err := model.LoadWith(root, opt.Overlay)
	if err != nil {
		return nil, err
	}
	observe("load", time.Since(start))
	// From here on the checks read the decoded Stack. A large model's CUE
	// values are let go (a problem's position evaluates it again); a small
	// one keeps them, so that a run with problems locates them at once.
	if len(m.Stack.Envs) > keepValuesUpTo {
		m.Release()
	}

	start = time.Now()
	files, skipped, err := renderAll(m)
	if err != nil {
		return nil, err
	}
	observe("render", time.Since(start))

	start = time.Now()
	if err := verify.Verify(m, files, verify.Options{Skip: opt.Skip, Observe: observe}).Err(); err != nil {
		return nil, err
	}
	observe("verify", time.Since(start))
	return &Result{Model: m, Files: files, Skipped: skipped}, nil
}

// renderAll renders every output: the configs, the promtool file of the
// declared rule cases, the CUE index of the environments, the alert
// catalog, and the index of them all, ops/README.md.
func renderAll(m *model.Model) ([]output.File, []string, error) {
	s := m.Stack
	// The rule cases and their promtool file, the largest file, are worked
	// out on the other core while the configs render: both only read the
	// Stack, and rendering uses one core (0.5 s instead of 0.8 s at 30
	// environments).
	var (
		tests   []byte
		skipped []string
		testErr error
		wg      sync.WaitGroup
	)
	wg.Go(func() {
		var cases []rules.RuleCase
		if cases, skipped, testErr = rules.AllRuleCases(s); testErr != nil {
			testErr = fmt.Errorf("rule cases: %w", testErr)
			return
		}
		if tests, testErr = rules.PromtoolFile(s, cases); testErr != nil {
			testErr = fmt.Errorf("render %s: %w", s.Outputs.RuleTests.Path, testErr)
		}
	})
	files, err := render.Render(s)
	wg.Wait()
	if err := cmp.Or(err, testErr); err != nil {
		return nil, nil, err
	}
	files = append(files, output.File{Path: s.Outputs.RuleTests.Path, Data: tests}, m.Index)
	catalog, err := render.AlertCatalog(s, notified(s, files))
	if err != nil {
		return nil, nil, fmt.Errorf("render %s: %w", s.Outputs.AlertCatalog.Path, err)
	}
	files = append(files, output.File{Path: s.Outputs.AlertCatalog.Path, Data: catalog})
	sortFiles(files)
	files = append(files, output.File{Path: s.Outputs.Readme.Path, Data: render.OpsReadme(s, files)})
	sortFiles(files)
	if files[0].Path == "" {
		return nil, nil, fmt.Errorf("an output has no path: the model sets no path for a file this gen writes (see outputs in %s/stack.cue; a revision older than this gen?)", model.SchemaDir)
	}
	for i := 1; i < len(files); i++ {
		if files[i].Path == files[i-1].Path {
			return nil, nil, fmt.Errorf("two outputs share the path %s", files[i].Path)
		}
	}
	return files, skipped, nil
}

// notified routes every alert through the rendered alertmanager.yml. When
// it does not load, the catalog says nobody is notified; the
// alertmanager-config check reports why, and nothing is written.
func notified(s *model.Stack, files []output.File) render.Notified {
	out := render.Notified{}
	cfg, err := routes.ParseAlertmanager(s, output.Index(files))
	if err != nil {
		return out
	}
	for _, r := range routes.AlertReceivers(s, cfg) {
		if out[r.Env] == nil {
			out[r.Env] = map[string][]string{}
		}
		out[r.Env][r.Alert] = r.Receivers
	}
	return out
}

func sortFiles(files []output.File) {
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
}
