package model

// Caddy is the Caddyfile (schema.#Caddy).
type Caddy struct {
	Email string      `json:"email"`
	Sites []CaddySite `json:"sites"`
}

// CaddySite is one site block.
type CaddySite struct {
	Address      string   `json:"address"`
	Encode       []string `json:"encode"`
	PrivatePaths []string `json:"private_paths"`
	Upstream     string   `json:"upstream,omitempty"`
	// Metrics serves Caddy's own metrics instead of proxying.
	Metrics bool `json:"metrics,omitempty"`
}
