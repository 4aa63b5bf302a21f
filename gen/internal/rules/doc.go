// Package rules is the rule harness: the rule cases derived from the
// values and written by hand, run on Prometheus's rule manager and PromQL
// engine, and the promtool test file that says the same.
package rules
