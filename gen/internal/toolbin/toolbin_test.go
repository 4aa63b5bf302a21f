package toolbin

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestToolBinary: a tool is built once and found again by the hash of what
// it is built from; a change to its sources builds a new binary, which
// runs the new code.
func TestToolBinary(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/hello\n\ngo 1.26\n")
	write("main.go", "package main\n\nfunc main() { println(\"one\") }\n")
	run := func(bin string) string {
		out, err := exec.Command(bin).CombinedOutput()
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(out))
	}
	first, err := Binary(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Binary(dir, ".")
	if err != nil || again != first {
		t.Fatalf("second call: %q, %v; want %q", again, err, first)
	}
	if got := run(first); got != "one" {
		t.Fatalf("first binary prints %q", got)
	}
	write("main.go", "package main\n\nfunc main() { println(\"two\") }\n")
	second, err := Binary(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	if second == first || run(second) != "two" {
		t.Fatalf("after a source change: %q prints %q", second, run(second))
	}
}
