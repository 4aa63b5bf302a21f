package gen

import "testing"

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
		if _, err := Render(m.Stack); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGenerate(b *testing.B) {
	for b.Loop() {
		if _, _, err := Generate(fixtureRoot); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRuleCases(b *testing.B) {
	m, err := Load(fixtureRoot)
	if err != nil {
		b.Fatal(err)
	}
	files, err := Render(m.Stack)
	if err != nil {
		b.Fatal(err)
	}
	var rules []byte
	for _, f := range files {
		if f.Path == m.Stack.Outputs.Alerts.Path {
			rules = f.Data
		}
	}
	for b.Loop() {
		if _, _, err := RunRuleCases(m.Stack, rules); err != nil {
			b.Fatal(err)
		}
	}
}
