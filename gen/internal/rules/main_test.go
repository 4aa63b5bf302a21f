package rules

import (
	"os"
	"testing"

	"github.com/lms/lms-ops/internal/liveconfig"
)

// TestMain fails the run if a test reads the live configuration.
func TestMain(m *testing.M) { os.Exit(liveconfig.Guard(m)) }
