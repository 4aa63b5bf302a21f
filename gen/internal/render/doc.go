// Package render turns the model into every configuration file, in
// memory: Prometheus, Alertmanager, Caddy, Grafana, compose, Kubernetes,
// the catalogs and READMEs (render/dashboards: the Grafana dashboards,
// with the foundation SDK).
package render
