package e2e

import (
	"fmt"
	"net"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/lms/lms-ops/gen"
)

// The servers run with what the generated compose files give them: the
// command (flags) of each service and the environment, with every
// container path mapped into the run's directory through the service's
// own mounts. Go holds no copy of the flags; the run only adds where a
// server listens, since on a laptop that is a loopback port.

// pathMap maps container paths to the run's directory.
type pathMap []struct{ container, host string }

// mounts maps a compose service's mounts into the run: a bind mount of
// ./<dir> to the rendered tree under repo/, a named volume to
// volumes/<name>.
func (r *run) mounts(service string) (pathMap, error) {
	svc, ok := r.composeService(service)
	if !ok {
		return nil, fmt.Errorf("no compose service %s", service)
	}
	var pm pathMap
	for _, v := range svc.Volumes {
		parts := strings.Split(v, ":")
		if len(parts) < 2 {
			return nil, fmt.Errorf("service %s: volume %q", service, v)
		}
		host := r.path("volumes", parts[0])
		if src, ok := strings.CutPrefix(parts[0], "./"); ok {
			host = r.path("repo", filepath.FromSlash(src))
		}
		if err := os.MkdirAll(host, 0o755); err != nil {
			return nil, err
		}
		pm = append(pm, struct{ container, host string }{parts[1], host})
	}
	return pm, nil
}

// resolve maps container path p through the longest mount that holds it.
func (pm pathMap) resolve(p string) (string, bool) {
	best := -1
	for i, m := range pm {
		if (p == m.container || strings.HasPrefix(p, m.container+"/")) && (best < 0 || len(m.container) > len(pm[best].container)) {
			best = i
		}
	}
	if best < 0 {
		return "", false
	}
	return filepath.Join(pm[best].host, filepath.FromSlash(strings.TrimPrefix(p, pm[best].container))), true
}

// composeService finds a service in the generated compose files.
func (r *run) composeService(name string) (gen.ComposeService, bool) {
	svc, ok := r.model.Stack.ComposeServices()[name]
	return svc, ok
}

// serverArgs is the command of a compose service with every container
// path mapped into the run, then listen: the run's own flags.
func (r *run) serverArgs(service string, listen ...string) ([]string, error) {
	svc, _ := r.composeService(service)
	pm, err := r.mounts(service)
	if err != nil {
		return nil, err
	}
	var args []string
	for _, a := range svc.Command {
		flag, v, ok := strings.Cut(a, "=")
		switch {
		case ok && path.IsAbs(v):
			host, ok := pm.resolve(v)
			if !ok {
				return nil, fmt.Errorf("service %s: %s is not under any of its mounts", service, a)
			}
			a = flag + "=" + host
		case ok && v != "":
			a = flag + "=" + r.mapAddress(service, v)
		}
		args = append(args, a)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("service %s has no command in the compose file", service)
	}
	return append(args, listen...), nil
}

// mapAddress maps a service:port the compose network resolves, or a
// 0.0.0.0:port a service listens on, to the loopback port the run reserved
// for that service and port ("alertmanager-1:9094"); other values are kept.
func (r *run) mapAddress(service, v string) string {
	host, port, err := net.SplitHostPort(v)
	if err != nil {
		return v
	}
	if host == "0.0.0.0" {
		host = service
	}
	if _, ok := r.ports[host+":"+port]; ok {
		return r.addr(host + ":" + port)
	}
	return v
}

// hostPath maps a container path of a service into the run.
func (r *run) hostPath(service, p string) (string, error) {
	pm, err := r.mounts(service)
	if err != nil {
		return "", err
	}
	host, ok := pm.resolve(p)
	if !ok {
		return "", fmt.Errorf("service %s does not mount %s", service, p)
	}
	return host, nil
}
