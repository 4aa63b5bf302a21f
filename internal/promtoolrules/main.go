//go:build promtoolrules

// Command promtoolrules is `promtool test rules` and nothing else of
// promtool: Prometheus v2.54.1's own cmd/promtool/unittest.go, compiled
// unchanged beside this file and called with the options promtool's main
// gives it. The build adds that file from the module cache of the version
// go.mod pins, with go build -overlay and the promtoolrules tag (Binary):
// it is promtool's code, not a copy of it in this repository.
//
// promtool's main package also links every service discovery, the TSDB
// tools, remote storage and the push and query clients: 939 packages, 137 s
// of a cold build, for the tests that need `test rules` alone. This entry
// point needs the packages gen's own rule engine already compiles, and
// promqltest.
package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/prometheus/prometheus/promql/promqltest"
)

// The exit codes promtool's main.go declares, which unittest.go returns.
const (
	successExitCode = 0
	failureExitCode = 1
)

// main takes promtool's arguments, `test rules [--run REGEXP]... [--diff]
// FILE...`, flags before or after the files as kingpin takes them.
func main() {
	args := os.Args[1:]
	if len(args) < 2 || args[0] != "test" || args[1] != "rules" {
		fmt.Fprintln(os.Stderr, "usage: promtoolrules test rules [--run REGEXP]... [--diff] FILE...")
		os.Exit(2)
	}
	var run, files []string
	diff := false
	for i := 2; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--run" && i+1 < len(args):
			i++
			run = append(run, args[i])
		case strings.HasPrefix(a, "--run="):
			run = append(run, strings.TrimPrefix(a, "--run="))
		case a == "--diff":
			diff = true
		case strings.HasPrefix(a, "-"):
			fmt.Fprintf(os.Stderr, "promtoolrules: unknown flag %s\n", a)
			os.Exit(2)
		default:
			files = append(files, a)
		}
	}
	// As promtool's main calls it (cmd/promtool/main.go, testRulesCmd).
	os.Exit(RulesUnitTest(
		promqltest.LazyLoaderOpts{
			EnableAtModifier:     true,
			EnableNegativeOffset: true,
		},
		run,
		diff,
		files...,
	))
}
