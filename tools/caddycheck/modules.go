package main

// The Caddy modules the checker links: only what the directives and global
// options of our Caddyfile (envs/caddy.cue) map to, instead of Caddy's
// standard distribution (github.com/caddyserver/caddy/v2/modules/standard,
// about 800 packages). Adding a directive to the Caddyfile that needs a
// module not listed here makes the check fail with "unrecognized directive"
// or "module not registered"; add its package here (the stock Caddy of
// `go run mage.go e2e`, built from tools/caddy, has every standard module,
// and e2e compares both adaptations).
//
// Linked without an import here, through the Caddyfile adapter
// (caddyconfig/httpcaddyfile): the HTTP app with its request matchers
// (`@name path ...`) and the built-in directives (respond, redir, handle,
// route, tls, ...); the TLS app with its automation policies and ACME issuer
// (the global `email` option); the PKI app (Caddy's internal CA) and the
// events app the TLS app emits to.
import (
	// encode, with the gzip and zstd encoders.
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode/gzip"
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/encode/zstd"

	// reverse_proxy, with its HTTP transport, load balancing and health
	// checks. It imports, and so links, the header and request_header
	// directives (modules/caddyhttp/headers) and rewrite, uri, method and
	// handle_path (modules/caddyhttp/rewrite).
	_ "github.com/caddyserver/caddy/v2/modules/caddyhttp/reverseproxy"

	// metrics: Caddy's Prometheus metrics, on the internal listener.
	_ "github.com/caddyserver/caddy/v2/modules/metrics"
)
