package gen

import "testing"

// Benchmarks of the pipeline's stages on the real model. Figures: run
// `go run mage.go bench` (medians and ratios) or go test -bench . ./gen.

func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, err := Load(repoRoot); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRender(b *testing.B) {
	m, err := Load(repoRoot)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := Render(m.Stack); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, _, err := Generate(repoRoot); err != nil {
			b.Fatal(err)
		}
	}
}
