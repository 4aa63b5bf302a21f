package e2e

import "github.com/lms/lms-ops/gen"

// Override is one CUE field the laptop run sets to another value; Overlay
// gives the loader the files with the overrides applied (gen's one CUE
// editor, which requires each field to be found exactly once).
type Override = gen.Override

// Overlay applies the overrides to the CUE files under root.
var Overlay = gen.Overlay
