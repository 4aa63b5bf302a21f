// Package liveconfig tells the live configuration (what operators edit and
// what gen writes from it) from everything else. The tool's tests run on
// the fixture under testdata/ instead, so that an operator's edit neither
// breaks them nor invalidates Go's test cache; liveguard holds them to it.
package liveconfig

import (
	"path/filepath"
	"strings"
)

// liveDirs hold live configuration only: what operators edit (envs/, the
// runbooks gen checks every alert against in docs/) and what gen writes
// (ops/, the CI workflow).
var liveDirs = []string{"envs/", "ops/", "docs/", ".github/workflows/"}

// IsLive tells whether a path relative to the repository root is live
// configuration: under liveDirs, or a generated file at the root (the
// compose files, the only YAML files there).
func IsLive(rel string) bool {
	rel = filepath.ToSlash(rel)
	for _, d := range liveDirs {
		if strings.HasPrefix(rel, d) {
			return true
		}
	}
	ext := filepath.Ext(rel)
	return !strings.Contains(rel, "/") && (ext == ".yml" || ext == ".yaml")
}
