package e2e

import (
	"strings"
	"testing"
)

// TestNormalJSON: the stock-versus-checker comparison ignores key order and
// spacing, and shows where the configs differ.
func TestNormalJSON(t *testing.T) {
	stock := `{"apps":{"http":{"servers":{"srv0":{"listen":[":443"],"routes":[{"handle":[{"handler":"encode","prefer":["zstd","gzip"]}]}]}}}}}`
	checker := "{\n  \"apps\": {\"http\": {\"servers\": {\"srv0\": {\"routes\": [{\"handle\": [{\"prefer\": [\"zstd\", \"gzip\"], \"handler\": \"encode\"}]}], \"listen\": [\":443\"]}}}}\n}"
	a, err := normalJSON([]byte(stock))
	if err != nil {
		t.Fatal(err)
	}
	b, err := normalJSON([]byte(checker))
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatalf("same config, different normal forms:\n%s\n%s", a, b)
	}
	c, err := normalJSON([]byte(strings.Replace(stock, `"zstd","gzip"`, `"gzip"`, 1)))
	if err != nil {
		t.Fatal(err)
	}
	if a == c {
		t.Fatal("different configs, same normal form")
	}
	diff := firstDiff(a, c)
	if !strings.Contains(diff, `"zstd", (stock)`) || !strings.Contains(diff, `"gzip" (tools/caddycheck)`) {
		t.Errorf("firstDiff does not show the differing line:\n%s", diff)
	}
}
