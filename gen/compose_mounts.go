package gen

import (
	"path"
	"strings"
)

// mount is one bind mount or secret of a generated compose service.
type mount struct {
	file      string // the compose file
	service   string
	host      string // repository-relative path ("ops/...", "secrets/...")
	container string
	secret    bool
}

// mounts lists every bind mount and secret of the generated compose files.
type mounts []mount

// composeMounts reads the mounts of every generated compose file. Named
// volumes (no leading "./") are not bind mounts and are skipped.
func composeMounts(s *Stack) mounts {
	var ms mounts
	for _, c := range []ComposeOutput{s.Outputs.ComposeObservability, s.Outputs.ComposeProd} {
		for _, name := range sortedKeys(c.Compose.Services) {
			svc := c.Compose.Services[name]
			for _, v := range svc.Volumes {
				parts := strings.Split(v, ":")
				if len(parts) < 2 || !strings.HasPrefix(parts[0], "./") {
					continue
				}
				ms = append(ms, mount{file: c.Path, service: name, host: path.Clean(parts[0]), container: parts[1]})
			}
			for _, sec := range svc.Secrets {
				host := ""
				if def, ok := c.Compose.Secrets[sec]; ok {
					host = path.Clean(def.File)
				}
				ms = append(ms, mount{file: c.Path, service: name, host: host, container: "/run/secrets/" + sec, secret: true})
			}
		}
	}
	return ms
}

// hostPath maps a container path of service to the repository path it is
// mounted from, through the longest mount that covers it (a file mount, or
// a directory mount holding it), as Docker resolves nested mounts.
func (ms mounts) hostPath(service, container string) (string, bool) {
	best := -1
	for i, m := range ms {
		if m.service != service {
			continue
		}
		if container == m.container || strings.HasPrefix(container, m.container+"/") {
			if best < 0 || len(m.container) > len(ms[best].container) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	m := ms[best]
	return m.host + strings.TrimPrefix(container, m.container), true
}
