// Package output is the set of generated files: what gen owns under the
// repository, writing them all or none (Write), and the drift between a
// rendering and what is committed (Compare).
package output
