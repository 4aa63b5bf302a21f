package model

import (
	"os"
	"testing"

	"github.com/lms/lms-ops/internal/liveconfig/liveguard"
)

// TestMain fails the run if a test reads the live configuration.
func TestMain(m *testing.M) { os.Exit(liveguard.Guard(m)) }
