package gen

import (
	"testing"

	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/rules"
)

// Benchmarks of the pipeline's stages on the real model. Figures: run
// `go run mage.go bench` (medians and ratios) or go test -bench . ./gen.

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(fixtureRoot); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	m, err := Load(fixtureRoot)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := render.Render(m.Stack); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, err := Generate(fixtureRoot); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRuleCases(b *testing.B) {
	m, err := Load(fixtureRoot)
	if err != nil {
		b.Fatal(err)
	}
	files, err := render.Render(m.Stack)
	if err != nil {
		b.Fatal(err)
	}
	idx := output.Files{}
	for _, f := range files {
		idx[f.Path] = f.Data
	}
	for b.Loop() {
		if ps := rules.CheckRuleTests(m, idx); len(ps) > 0 {
			b.Fatal(ps)
		}
	}
}
