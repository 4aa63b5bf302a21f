// Package promql reads the alert rules' PromQL with Prometheus's own
// parser: the labels an alert really carries, and the scrape jobs a
// selector reads.
package promql
