package verify

import (
	"debug/buildinfo"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"golang.org/x/mod/modfile"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
	"github.com/lms/lms-ops/gen/internal/toolbin"
)

// Module paths of the libraries that validate what we deploy.
const (
	prometheusModule   = "github.com/prometheus/prometheus"
	alertmanagerModule = "github.com/prometheus/alertmanager"
	caddyModule        = "github.com/caddyserver/caddy/v2"
)

// linkedVersion is the version of module linked into this binary, from
// its build information; "" when it is not linked. A variable so that a
// test can stand for a binary built with other versions.
var linkedVersion = func(module string) string {
	if info, ok := debug.ReadBuildInfo(); ok && len(info.Deps) > 0 {
		return moduleVersion(info, module)
	}
	return requiredVersion(module)
}

// requiredVersion is the version of module that the go.mod of the module
// holding this file requires, for binaries without dependency information
// (go test binaries carry none). Since Go 1.17 go.mod lists every module
// that provides a linked package, at the version the build selects, so it
// is the version linked.
func requiredVersion(module string) string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	for dir := filepath.Dir(file); ; dir = filepath.Dir(dir) {
		data, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err == nil {
			f, err := modfile.ParseLax("go.mod", data, nil)
			if err != nil {
				return ""
			}
			for _, r := range f.Require {
				if r.Mod.Path == module {
					return r.Mod.Version
				}
			}
			return ""
		}
		if parent := filepath.Dir(dir); parent == dir {
			return ""
		}
	}
}

// caddyVersion is the Caddy version the Caddyfile validator is built with.
var caddyVersion = func(root string) (string, error) {
	bin, err := toolbin.Binary(filepath.Join(root, CaddyCheckDir), ".")
	if err != nil {
		return "", err
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		return "", err
	}
	return moduleVersion(info, caddyModule), nil
}

func moduleVersion(info *debug.BuildInfo, module string) string {
	for _, d := range info.Deps {
		if d.Path == module {
			if d.Replace != nil {
				return d.Replace.Version
			}
			return d.Version
		}
	}
	return ""
}

// serverVersion is the version of a linked library as its server release:
// Prometheus publishes release vX.Y.Z as Go module version v0.X.Y.
func serverVersion(module string) string {
	v := linkedVersion(module)
	if module == prometheusModule && strings.HasPrefix(v, "v0.") {
		return "v2." + strings.TrimPrefix(v, "v0.")
	}
	return v
}

// rejects names the linked validator in a parser's message: the version
// that really parsed the file, not the one CUE pins.
func rejects(server, module string) string {
	v := serverVersion(module)
	if v == "" {
		v = "(version unknown)"
	}
	return server + " " + v + " rejects it: "
}

// checkVersions: the images we deploy are the releases we validate with.
// Prometheus and Alertmanager are linked into gen; Caddy is linked into
// the Caddyfile validator, whose image tag must start with its version.
func checkVersions(m *model.Model, _ output.Files) model.Problems {
	v := m.Stack.Versions
	var ps model.Problems
	mismatch := func(field, pinned, linked, what string) {
		ps = append(ps, model.Problem{Pos: m.PosOf("", model.PathVersion.At(field)), Scope: "stack: versions",
			Msg: fmt.Sprintf("%s is %q, but %s; deploy the release the checks run, or move the Go module to it", field, pinned, what)})
	}
	for _, c := range []struct{ field, pinned, module string }{
		{"prometheus", v.Prometheus, prometheusModule},
		{"alertmanager", v.Alertmanager, alertmanagerModule},
	} {
		if got := serverVersion(c.module); got != c.pinned {
			mismatch(c.field, c.pinned, got, fmt.Sprintf("gen validates with %s %s", c.module, linkedVersion(c.module)))
		}
	}
	caddy, err := caddyVersion(m.Root)
	switch {
	case err != nil:
		ps = append(ps, model.Problem{Scope: "stack: versions", Msg: "read the Caddy version of " + CaddyCheckDir + ": " + err.Error()})
	case !strings.HasPrefix(v.Caddy, strings.TrimPrefix(caddy, "v")+"-") && v.Caddy != strings.TrimPrefix(caddy, "v"):
		mismatch("caddy", v.Caddy, caddy, fmt.Sprintf("%s validates the Caddyfile with Caddy %s (the image tag must be that release, e.g. %q)", CaddyCheckDir, caddy, strings.TrimPrefix(caddy, "v")+"-alpine"))
	}
	return ps
}
