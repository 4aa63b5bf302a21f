package e2e

import (
	"context"
	"debug/buildinfo"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/lms/lms-ops/gen"
)

// server is a real server binary, built by `go tool` from the module that
// pins it (the Go build cache keeps it between runs).
type server struct {
	name   string
	dir    string // module directory, relative to the root
	pkg    string // the main package
	module string // the Go module of the server
	// matches says whether the module version is the version pinned in CUE.
	matches func(module, pinned string) bool
	pinned  func(v map[string]string) string
}

var servers = []server{
	{"prometheus", ".", "github.com/prometheus/prometheus/cmd/prometheus", "github.com/prometheus/prometheus",
		// Prometheus server v2.X.Y is Go module v0.X.Y.
		func(mod, pin string) bool { return "v0"+strings.TrimPrefix(pin, "v2") == mod },
		func(v map[string]string) string { return v["prometheus"] }},
	{"alertmanager", "tools/alertmanager", "github.com/prometheus/alertmanager/cmd/alertmanager", "github.com/prometheus/alertmanager",
		func(mod, pin string) bool { return mod == pin },
		func(v map[string]string) string { return v["alertmanager"] }},
	// Stock Caddy, with every standard module (tools/caddycheck, gen's
	// Caddyfile check, links only the modules our Caddyfile uses).
	{"caddy", "tools/caddy", caddyModule + "/cmd/caddy", caddyModule,
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
	r.bins = map[string]string{}
	for _, s := range servers {
		bin, mod, err := ServerBinary(r.cfg.Root, m, s.name)
		if err != nil {
			return err
		}
		r.bins[s.name] = bin
		r.logf("%s: %s", s.name, mod)
	}
	return nil
}

// ServerBinary builds (once, into the tool cache) the server name
// ("prometheus", "alertmanager" or "caddy") from the module that pins it,
// checks it is the version CUE pins, and returns the binary and the module
// it was built from ("module@version"). The binary is static (CGO_ENABLED=0), as the upstream images'
// are: the same file runs on loopback and in the engine phase's images.
func ServerBinary(root string, m *gen.Model, name string) (bin, module string, err error) {
	v := m.Stack.Versions
	pinned := map[string]string{"prometheus": v.Prometheus, "alertmanager": v.Alertmanager, "caddy": v.Caddy}
	for _, s := range servers {
		if s.name != name {
			continue
		}
		bin, err := gen.ToolBinaryWith(filepath.Join(root, s.dir), s.pkg, gen.ToolOptions{Static: true})
		if err != nil {
			return "", "", err
		}
		mod, err := moduleVersion(bin, s.module)
		if err != nil {
			return "", "", err
		}
		if !s.matches(mod, s.pinned(pinned)) {
			return "", "", fmt.Errorf("%s is built from %s %s, but CUE pins %s", s.name, s.module, mod, s.pinned(pinned))
		}
		return bin, s.module + "@" + mod, nil
	}
	return "", "", fmt.Errorf("no server %q", name)
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
