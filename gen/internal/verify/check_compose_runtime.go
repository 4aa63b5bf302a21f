package verify

import (
	"fmt"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkComposeRuntime models what the container runtime does with the
// compose projects as Compose loads them, since no engine runs here. Each
// rule is the runtime's documented behaviour:
//
//   - Mounts are made parents first (moby daemon/volumes.go, sortMounts:
//     "when mounting /etc and /etc/resolv.conf, /etc/resolv.conf must not
//     be mounted first"), and the runtime creates each mount point with
//     mkdir inside what is already mounted (runc libcontainer/rootfs_linux.go,
//     createIfNotExists). Inside a read-only bind that fails with "read-only
//     file system" (docker/for-linux#128, docker/compose#6583): an inner
//     mount point must already exist in the outer bind's source.
//   - A single-file bind mount pins the file's inode; a file replaced by
//     rename (as gen and git write) stays old in the container, so a
//     reload reads the old config (moby/moby#15793). A generated file is
//     reached through a mount of its folder.
//   - A named volume must be declared in the top-level volumes (Compose
//     Specification, "volumes").
//   - A network declared external is not created by Compose: it must
//     exist, so another compose file of the stack must create it (Compose
//     Specification, "networks: external").
//   - Two services cannot publish the same host port and protocol on
//     overlapping addresses: the second fails with "port is already
//     allocated" (libnetwork's port allocator). Both compose files run on
//     one host, so their ports are checked together.
//   - A `secrets: file:` secret is a bind mount of the host file with its
//     owner and mode: uid, gid and mode are honoured by swarm only (Compose
//     Specification, "secrets"; docker/compose#9648), and Alertmanager reads
//     *_file fields only when it sends. So every service that reads secrets
//     waits (service_completed_successfully) for a check of the same
//     secrets run in its own image, as its user (seen on the engine: a 0600
//     secret gave a healthy Alertmanager that could not notify).
func checkComposeRuntime(m *model.Model, files output.Files) model.Problems {
	var ps model.Problems
	var published []publishedPort
	projects := composeProjects(m, files)
	for _, p := range projects {
		for _, name := range slices.Sorted(maps.Keys(p.Services)) {
			svc := p.Services[name]
			scope := fmt.Sprintf("stack: %s: service %s", p.Path, name)
			add := func(msg string) {
				ps = append(ps, model.Problem{Pos: p.pos(m, model.PathComposeServiceVolumes, name), Also: []string{p.Path}, Scope: scope, Msg: msg})
			}
			for _, v := range svc.Volumes {
				switch v.Type {
				case types.VolumeTypeVolume:
					if _, ok := p.Volumes[v.Source]; !ok {
						add(fmt.Sprintf("mounts the named volume %s at %s, which the top-level volumes do not declare", v.Source, v.Target))
					}
				case types.VolumeTypeBind:
					if src := repoPath(m.Root, v.Source); files[src] != nil {
						add(fmt.Sprintf("mounts the generated file ./%s alone at %s: a single-file mount keeps the old file when gen replaces it, so a reload reads the old config; mount its folder", src, v.Target))
					}
				}
			}
			for _, msg := range nestedMounts(m.Root, files, svc.Volumes) {
				add(msg)
			}
			for _, pc := range svc.Ports {
				published = append(published, publishedPort{file: p.composeFile, service: name, port: pc})
			}
			if msg := uncheckedSecrets(p.Project, name, svc); msg != "" {
				ps = append(ps, model.Problem{Pos: p.pos(m, model.PathComposeServiceSecrets, name), Also: []string{p.Path}, Scope: scope, Msg: msg})
			}
		}
	}
	ps = append(ps, externalNetworks(m, projects)...)
	return append(ps, portClashes(m, published)...)
}

// externalNetworks reports every external network no compose file of the
// stack creates.
func externalNetworks(m *model.Model, projects []loadedProject) model.Problems {
	created := map[string]bool{}
	for _, p := range projects {
		for _, n := range p.Networks {
			if !bool(n.External) {
				created[n.Name] = true
			}
		}
	}
	var ps model.Problems
	for _, p := range projects {
		for _, key := range slices.Sorted(maps.Keys(p.Networks)) {
			if n := p.Networks[key]; bool(n.External) && !created[n.Name] {
				ps = append(ps, model.Problem{Pos: p.pos(m, model.PathComposeNetwork, key), Also: []string{p.Path}, Scope: "stack: " + p.Path,
					Msg: fmt.Sprintf("network %s is external (named %s), but no compose file of the stack creates it: `docker compose up` fails", key, n.Name)})
			}
		}
	}
	return ps
}

// nestedMounts reports each mount whose mount point lies inside a
// read-only bind mount's source and does not exist there.
func nestedMounts(root string, files output.Files, vols []types.ServiceVolumeConfig) []string {
	var out []string
	for _, outer := range vols {
		if outer.Type != types.VolumeTypeBind || !outer.ReadOnly {
			continue
		}
		for _, inner := range vols {
			rel, ok := strings.CutPrefix(inner.Target, strings.TrimSuffix(outer.Target, "/")+"/")
			if !ok {
				continue
			}
			src := repoPath(root, outer.Source)
			point := path.Join(src, rel)
			if producedFileOrDir(files, point) || exists(root, point) {
				continue
			}
			out = append(out, fmt.Sprintf("mount %s at %s lies inside the read-only bind of ./%s at %s, whose source has no %s: "+
				"the runtime cannot create the mount point in a read-only mount (read-only file system)",
				mountSource(root, inner), inner.Target, src, outer.Target, rel))
		}
	}
	return out
}

// repoPath is a resolved bind source relative to the repository root.
func repoPath(root, source string) string {
	if rel, err := filepath.Rel(root, source); err == nil && !strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(rel)
	}
	return source
}

func mountSource(root string, v types.ServiceVolumeConfig) string {
	if v.Type == types.VolumeTypeBind {
		return "./" + repoPath(root, v.Source)
	}
	return v.Source
}

// exists tells whether a repository path exists on disk (a folder of the
// repository that gen does not write).
func exists(root, p string) bool {
	_, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
	return err == nil
}

// publishedPort is a port one service publishes on the host.
type publishedPort struct {
	file    composeFile
	service string
	port    types.ServicePortConfig
}

// allInterfaces tells whether a host address is every interface.
func allInterfaces(ip string) bool { return ip == "" || ip == "0.0.0.0" || ip == "::" }

// portClashes reports two services publishing the same host port and
// protocol on overlapping addresses.
func portClashes(m *model.Model, ports []publishedPort) model.Problems {
	var ps model.Problems
	for i, a := range ports {
		for _, b := range ports[i+1:] {
			pa, pb := a.port, b.port
			if pa.Published != pb.Published || pa.Protocol != pb.Protocol {
				continue
			}
			if pa.HostIP != pb.HostIP && !allInterfaces(pa.HostIP) && !allInterfaces(pb.HostIP) {
				continue
			}
			ps = append(ps, model.Problem{Pos: b.file.pos(m, model.PathComposeServicePorts, b.service), Also: []string{b.file.Path},
				Scope: fmt.Sprintf("stack: %s: service %s", b.file.Path, b.service),
				Msg: fmt.Sprintf("publishes %s/%s on host port %s, which service %s (%s) already publishes: the second fails with \"port is already allocated\"",
					hostIP(pb.HostIP), pb.Protocol, pb.Published, a.service, a.file.Path)})
		}
	}
	return ps
}

func hostIP(ip string) string {
	if ip == "" {
		return "0.0.0.0"
	}
	return ip
}

// uncheckedSecrets says what is wrong when service svc reads secrets without
// waiting for a check of them in its own image (see checkComposeRuntime).
func uncheckedSecrets(p *types.Project, name string, svc types.ServiceConfig) string {
	if len(svc.Secrets) == 0 || len(svc.Entrypoint) > 0 {
		return ""
	}
	var want []string
	for _, s := range svc.Secrets {
		want = append(want, s.Source)
	}
	for dep, d := range svc.DependsOn {
		check, ok := p.Services[dep]
		if !ok || d.Condition != types.ServiceConditionCompletedSuccessfully || check.Image != svc.Image || len(check.Entrypoint) == 0 {
			continue
		}
		var has []string
		for _, s := range check.Secrets {
			has = append(has, s.Source)
		}
		if !slices.ContainsFunc(want, func(s string) bool { return !slices.Contains(has, s) }) {
			return ""
		}
	}
	return fmt.Sprintf("reads the secrets %v but waits for no check of them run in its image (%s) with condition service_completed_successfully: compose mounts a secret with the host file's owner and mode, so a file its user cannot read would be found only when the server uses it", want, svc.Image)
}
