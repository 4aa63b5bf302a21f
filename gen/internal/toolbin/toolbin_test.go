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
	dir, write := tempModule(t)
	write("main.go", "package main\n\nfunc main() { println(\"one\") }\n")
	first, err := Binary(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	again, err := Binary(dir, ".")
	if err != nil || again != first {
		t.Fatalf("second call: %q, %v; want %q", again, err, first)
	}
	if got := runBinary(t, first); got != "one" {
		t.Fatalf("first binary prints %q", got)
	}
	write("main.go", "package main\n\nfunc main() { println(\"two\") }\n")
	second, err := Binary(dir, ".")
	if err != nil {
		t.Fatal(err)
	}
	if second == first || runBinary(t, second) != "two" {
		t.Fatalf("after a source change: %q prints %q", second, runBinary(t, second))
	}
}

// TestToolOverlay: a package of the module built with a tag and a file
// added by overlay runs the overlaid code, and a change to the overlaid
// file, or to the package's own sources, is a new binary.
func TestToolOverlay(t *testing.T) {
	dir, write := tempModule(t)
	write("cmd/hi/main.go", "//go:build hi\n\npackage main\n\nfunc main() { println(greeting + \"!\") }\n")
	write("upstream/greeting.go", "package main\n\nconst greeting = \"one\"\n")
	o := Options{Tags: "hi", Overlay: map[string]string{
		filepath.Join(dir, "cmd", "hi", "greeting.go"): filepath.Join(dir, "upstream", "greeting.go"),
	}}
	build := func() (string, string) {
		t.Helper()
		bin, err := BinaryWith(dir, "./cmd/hi", o)
		if err != nil {
			t.Fatal(err)
		}
		return bin, runBinary(t, bin)
	}
	first, got := build()
	if got != "one!" {
		t.Fatalf("first binary prints %q", got)
	}
	write("upstream/greeting.go", "package main\n\nconst greeting = \"two\"\n")
	second, got := build()
	if second == first || got != "two!" {
		t.Fatalf("after the overlaid file changed: %q prints %q", second, got)
	}
	write("cmd/hi/main.go", "//go:build hi\n\npackage main\n\nfunc main() { println(greeting + \"?\") }\n")
	if third, got := build(); third == second || got != "two?" {
		t.Fatalf("after the package's source changed: %q prints %q", third, got)
	}
}

// tempModule is an empty Go module in a temporary folder, with a user
// cache of its own, and a writer of files into it.
func tempModule(t *testing.T) (string, func(name, text string)) {
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	write := func(name, text string) { writeFile(t, dir, name, text) }
	write("go.mod", "module example.com/hello\n\ngo 1.26\n")
	return dir, write
}

// runBinary is what bin prints.
func runBinary(t *testing.T, bin string) string {
	t.Helper()
	out, err := exec.Command(bin).CombinedOutput()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// writeFile writes text to name under dir, creating its folders.
func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
