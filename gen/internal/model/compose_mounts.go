package model

import (
	"maps"
	"path"
	"slices"
	"strings"
)

// Mount is one bind mount or secret of a generated compose service.
type Mount struct {
	File      string // the compose file
	Service   string
	Host      string // repository-relative path ("ops/...", or a secret file)
	Container string
	Secret    bool
}

// Mounts lists every bind mount and secret of the generated compose files.
type Mounts []Mount

// ComposeMounts reads the mounts of every generated compose file. Named
// volumes (no leading "./") are not bind mounts and are skipped.
func ComposeMounts(s *Stack) Mounts {
	var ms Mounts
	for _, c := range []ComposeOutput{s.Outputs.ComposeObservability, s.Outputs.ComposeProd} {
		for _, name := range slices.Sorted(maps.Keys(c.Compose.Services)) {
			svc := c.Compose.Services[name]
			for _, v := range svc.Volumes {
				parts := strings.Split(v, ":")
				if len(parts) < 2 || !strings.HasPrefix(parts[0], "./") {
					continue
				}
				ms = append(ms, Mount{File: c.Path, Service: name, Host: path.Clean(parts[0]), Container: parts[1]})
			}
			for _, sec := range svc.Secrets {
				host := ""
				if def, ok := c.Compose.Secrets[sec]; ok {
					host = path.Clean(def.File)
				}
				ms = append(ms, Mount{File: c.Path, Service: name, Host: host, Container: path.Join(s.Settings.Secrets.MountDir, sec), Secret: true})
			}
		}
	}
	return ms
}

// HostPath maps a container path of service to the repository path it is
// mounted from, through the longest mount that covers it (a file mount, or
// a directory mount holding it), as Docker resolves nested mounts.
func (ms Mounts) HostPath(service, container string) (string, bool) {
	best := -1
	for i, m := range ms {
		if m.Service != service {
			continue
		}
		if container == m.Container || strings.HasPrefix(container, m.Container+"/") {
			if best < 0 || len(m.Container) > len(ms[best].Container) {
				best = i
			}
		}
	}
	if best < 0 {
		return "", false
	}
	m := ms[best]
	return m.Host + strings.TrimPrefix(container, m.Container), true
}
