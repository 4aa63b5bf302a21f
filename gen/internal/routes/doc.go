// Package routes is the routing harness: route and inhibition cases run
// on Alertmanager's own routing tree, on the labels each Prometheus of a
// topology delivers (delivered.go).
package routes
