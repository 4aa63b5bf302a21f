package e2e

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"path/filepath"
	"strings"
)

// server is a real server binary, built by `go tool` from the module that
// pins it (the Go build cache keeps it between runs).
type server struct {
	name   string
	dir    string // module directory, relative to the root
	module string // the Go module of the server
	// matches says whether the module version is the version pinned in CUE.
	matches func(module, pinned string) bool
	pinned  func(v map[string]string) string
}

var servers = []server{
	{"prometheus", ".", "github.com/prometheus/prometheus",
		// Prometheus server v2.X.Y is Go module v0.X.Y.
		func(mod, pin string) bool { return "v0"+strings.TrimPrefix(pin, "v2") == mod },
		func(v map[string]string) string { return v["prometheus"] }},
	{"alertmanager", "tools/alertmanager", "github.com/prometheus/alertmanager",
		func(mod, pin string) bool { return mod == pin },
		func(v map[string]string) string { return v["alertmanager"] }},
	// Stock Caddy, with every standard module (tools/caddycheck, gen's
	// Caddyfile check, links only the modules our Caddyfile uses).
	{"caddy", "tools/caddy", caddyModule,
		// The image tag "2.11.9-alpine" pins the release.
		func(mod, pin string) bool { return "v"+strings.SplitN(pin, "-", 2)[0] == mod },
		func(v map[string]string) string { return v["caddy"] }},
}

// build builds (or finds) every server and checks it is the version CUE pins.
func (r *run) build(ctx context.Context) error {
	m, err := loadCommitted(r.cfg.Root)
	if err != nil {
		return err
	}
	v := m.Stack.Versions
	pinned := map[string]string{"prometheus": v.Prometheus, "alertmanager": v.Alertmanager, "caddy": v.Caddy}
	r.bins = map[string]string{}
	for _, s := range servers {
		bin, err := ToolPath(ctx, filepath.Join(r.cfg.Root, s.dir), s.name)
		if err != nil {
			return err
		}
		mod, err := moduleVersion(bin, s.module)
		if err != nil {
			return err
		}
		if !s.matches(mod, s.pinned(pinned)) {
			return fmt.Errorf("%s is built from %s %s, but CUE pins %s", s.name, s.module, mod, s.pinned(pinned))
		}
		r.bins[s.name] = bin
		r.logf("%s: %s %s", s.name, s.module, mod)
	}
	return nil
}

// moduleVersion reads the version of module a binary was built with.
func moduleVersion(bin, module string) (string, error) {
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", err
	}
	// A tool built from a dependency records that module as the main one.
	if info.Main.Path == module && info.Main.Version != "" {
		return info.Main.Version, nil
	}
	for _, d := range info.Deps {
		if d.Path == module {
			if d.Replace != nil {
				return d.Replace.Version, nil
			}
			return d.Version, nil
		}
	}
	return "", fmt.Errorf("%s was not built from %s", bin, module)
}
