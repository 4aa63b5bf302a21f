package gen

import (
	"github.com/lms/lms-ops/gen/internal/cueedit"
	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/routes"
	"github.com/lms/lms-ops/gen/internal/toolbin"
	"github.com/lms/lms-ops/gen/internal/verify"
)

// What Mage and e2e use of the layers below, under one name each.
type (
	// Model is the evaluated CUE model (internal/model).
	Model = model.Model
	// Stack is the decoded model.
	Stack = model.Stack
	// Metric is one entry of the metric catalog.
	Metric = model.Metric
	// File is one generated output.
	File = output.File
	// Drift is one difference between rendered and committed files.
	Drift = output.Drift
	// Changes are the files a write changed.
	Changes = output.Changes
	// Problems are everything wrong, in source order.
	Problems = model.Problems
	// ComposeService is one service of a compose file.
	ComposeService = model.ComposeService
	// RouteCase is a derived routing test.
	RouteCase = routes.RouteCase
	// CaddyResult is the Caddyfile validator's verdict.
	CaddyResult = verify.CaddyResult
	// Override is one CUE field set to another value (internal/cueedit).
	Override = cueedit.Override
)

const (
	// SchemaDir holds the CUE definitions.
	SchemaDir = model.SchemaDir
	// EnvsDir holds the values: the shared stack's and one directory per
	// environment.
	EnvsDir = model.EnvsDir
	// DeriveDir holds the CUE package of the stack's logic.
	DeriveDir = model.DeriveDir
	// APISource is the Source of the LMS API's metrics.
	APISource = model.APISource
	// CaddyCheckDir is the module of the Caddyfile validator.
	CaddyCheckDir = verify.CaddyCheckDir
	// OperatorOracleDir is the module of prometheus-operator's translation.
	OperatorOracleDir = verify.OperatorOracleDir
	// SlothOracleDir is the module of sloth's SLO rule generator, which the
	// tests hold the SLO rules to (TestSlothAgrees).
	SlothOracleDir = "tools/slothoracle"
)

var (
	// Load evaluates the model under root.
	Load = model.Load
	// LoadWith is Load with some CUE files replaced.
	LoadWith = model.LoadWith
	// Write makes the generated files under root exactly these, all or nothing.
	Write = output.Write
	// WriteChanges is Write, and says which files it wrote and removed.
	WriteChanges = output.WriteChanges
	// Compare lists the differences between files and what is committed.
	Compare = output.Compare
	// DeriveRouteCases are the routing tests derived from the policy.
	DeriveRouteCases = routes.DeriveRouteCases
	// CaddyEnv is the environment the Caddyfile is validated with.
	CaddyEnv = verify.CaddyEnv
	// RunCaddyCheck runs the Caddyfile validator.
	RunCaddyCheck = verify.RunCaddyCheck
	// ToolBinary builds (once) and returns a Go tool binary.
	ToolBinary = toolbin.Binary
	// ToolBinaryWith builds (once) a Go tool binary with build options.
	ToolBinaryWith = toolbin.BinaryWith
	// Overlay is the CUE files under root with the overrides applied, for LoadWith.
	Overlay = cueedit.Overlay
	// ApplyOverrides writes the overrides into the CUE files under root.
	ApplyOverrides = cueedit.Apply
)

// ToolOptions are a tool's build options (static, ldflags).
type ToolOptions = toolbin.Options
