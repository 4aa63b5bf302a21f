// Command caddycheck validates a Caddyfile with Caddy's own Caddyfile
// adapter, in-process, and reports how `caddy fmt` would format it.
//
// It lives in a module of its own on purpose: Caddy raises
// github.com/prometheus/common to a version whose metric and label name
// validation is UTF-8, and in the main module that would make the Prometheus
// 2.54.1 and Alertmanager 0.27.0 checks accept names the deployed servers
// reject (see README, "Module layout").
//
// It links only the Caddy modules our Caddyfile can use (see modules.go),
// not Caddy's standard distribution: a directive, encoder or other module
// outside that set is reported as an error, never silently accepted. The stock
// Caddy that is deployed (and that `go run mage.go e2e` runs) has them all;
// e2e proves both adapt the generated Caddyfile to the same JSON config.
//
// Usage: caddycheck < Caddyfile. Placeholders ({$VAR}) are read from the
// environment, as Caddy does when it starts. It prints a JSON Result on
// stdout and exits 0 whenever it could run the check.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/caddyserver/caddy/v2"
	"github.com/caddyserver/caddy/v2/caddyconfig/caddyfile"
	"github.com/caddyserver/caddy/v2/caddyconfig/httpcaddyfile"
)

// Result is what caddycheck reports.
type Result struct {
	// Formatted is the input as `caddy fmt` formats it.
	Formatted string `json:"formatted"`
	// Errors are adapter or validation errors; empty when the file is valid.
	Errors []string `json:"errors"`
	// Warnings are the adapter's warnings (Caddy logs them at start-up).
	Warnings []string `json:"warnings"`
	// JSON is the adapted config, as `caddy adapt --adapter caddyfile`
	// prints it; absent when the Caddyfile does not adapt.
	JSON json.RawMessage `json:"json,omitempty"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "caddycheck:", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	body, err := io.ReadAll(in)
	if err != nil {
		return err
	}
	res := check(body)
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

// check adapts the Caddyfile to JSON config and validates it (provisioning
// every module, opening no listener), exactly as `caddy validate` does.
func check(body []byte) Result {
	res := Result{Formatted: string(caddyfile.Format(body)), Errors: []string{}, Warnings: []string{}}
	adapter := caddyfile.Adapter{ServerType: httpcaddyfile.ServerType{}}
	cfgJSON, warnings, err := adapter.Adapt(body, map[string]any{"filename": "Caddyfile"})
	for _, w := range warnings {
		res.Warnings = append(res.Warnings, w.String())
	}
	if err != nil {
		res.Errors = append(res.Errors, err.Error())
		return res
	}
	res.JSON = cfgJSON
	var cfg caddy.Config
	if err := json.Unmarshal(cfgJSON, &cfg); err != nil {
		res.Errors = append(res.Errors, err.Error())
		return res
	}
	if err := caddy.Validate(&cfg); err != nil {
		res.Errors = append(res.Errors, err.Error())
	}
	return res
}
