// Package model is where CUE is loaded, and the only place: it evaluates
// the schema, each environment on its own and then the whole stack once,
// decodes the result strictly into the Go model (Stack), and turns CUE's
// errors into problems at the operator's own line (PosOf, CUEProblems).
package model
