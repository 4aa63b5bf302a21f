package gen

import (
	"os"
	"runtime/debug"
	"testing"

	"github.com/lms/lms-ops/internal/liveconfig/liveguard"
)

// TestMain fails the run if a test reads the live configuration.
func TestMain(m *testing.M) {
	tuneGC(os.Getenv)
	os.Exit(liveguard.Guard(m))
}

// The collector's settings for this package's tests, unless GOGC or
// GOMEMLIMIT say otherwise. The tests evaluate hundreds of CUE stacks,
// which allocate several times their live heap in short-lived values: at
// Go's default (GOGC=100) a third of the suite's CPU went to collecting
// them (760 s of user CPU for the package, 496 s with these settings; see
// the README's check row). The memory limit bounds what the larger heap
// target costs: the tests and their children (TestScaleChild at 100
// environments) stay within a few GiB of the machines CI runs on.
const (
	testGCPercent   = 400
	testMemoryLimit = 6 << 30
)

func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(testGCPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(testMemoryLimit)
	}
}
