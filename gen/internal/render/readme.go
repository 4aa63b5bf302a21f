package render

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// OpsReadme writes ops/README.md: the generated marker for the files
// that cannot carry a comment (JSON), the list of generated files, and the
// secret files the stack reads at run time.
func OpsReadme(s *model.Stack, files []output.File) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# ops/: generated\n\n", s.GeneratedHeader)
	b.WriteString("Every file listed below, and so everything under `ops/`, is generated from the\n" +
		"CUE model in `envs/` by `go run mage.go gen`.\n" +
		"Do not edit them: edit `envs/`, run `go run mage.go gen`, commit both.\n" +
		"`go run mage.go check` fails when they differ from what gen renders.\n\n" +
		"## Files\n\n")
	for _, f := range files {
		fmt.Fprintf(&b, "- `%s`\n", f.Path)
	}
	writeSecrets(&b, s)
	writeRunning(&b, s)
	writeAccess(&b, s)
	writeLayout(&b, s)
	return []byte(b.String())
}

// writeSecrets lists every compose secret: its file, where it is mounted,
// who reads it and what it holds.
func writeSecrets(b *strings.Builder, s *model.Stack) {
	sec := s.Settings.Secrets
	dir := sec.HostDir
	fmt.Fprintf(b, "\n## Secrets\n\n"+
		"Credentials are never in this repository. Each is a file that Docker Compose mounts as a\n"+
		"secret from `./%s/<name>` (git-ignored); create them before the first `docker compose up`:\n\n"+
		"| file | mounted at | read by | content |\n|---|---|---|---|\n", dir)
	what := maps.Clone(s.Settings.Alertmanager.Secrets)
	maps.Copy(what, s.Settings.Grafana.Secrets)
	services := s.ComposeServices()
	for _, name := range slices.Sorted(maps.Keys(what)) {
		var readers []string
		for _, svc := range slices.Sorted(maps.Keys(services)) {
			if slices.Contains(services[svc].Secrets, name) && !strings.HasSuffix(svc, sec.CheckSuffix) {
				readers = append(readers, svc)
			}
		}
		fmt.Fprintf(b, "| `./%s/%s` | `%s/%s` | %s | %s |\n", dir, name, sec.MountDir, name, strings.Join(readers, ", "), what[name])
	}
	fmt.Fprintf(b, "\nCompose mounts each file with its owner and mode on the host (a secret's `uid`, `gid` and\n"+
		"`mode` apply to swarm only), and the servers do not run as you: Alertmanager runs as\n"+
		"`nobody` (65534), Grafana as 472. Make each file readable by others and close the folder to\n"+
		"other users of the host (the daemon, as root, still mounts the files):\n\n"+
		"    install -d -m %s %s\n"+
		"    printf '%%s' '<value>' > %s/<name> && chmod %s %s/<name>\n\n"+
		"A file with mode 0600 would give an Alertmanager that starts and reports healthy, then fails at\n"+
		"its first notification, and a Grafana with the default admin password. So `docker compose up`\n"+
		"first runs, in each reader's image and as its user, a one-shot check (%s): an unreadable or\n"+
		"empty secret stops `up` (`service ... didn't complete successfully`), and `docker compose\n"+
		"-f %s logs <check>` names the file, the user and the fix.\n",
		sec.DirMode, dir, dir, sec.FileMode, dir, strings.Join(checks(services, sec.CheckSuffix), ", "), s.Outputs.ComposeObservability.Path)
}

// checks are the compose services that check secrets, in backquotes.
func checks(services map[string]model.ComposeService, suffix string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(services)) {
		if strings.HasSuffix(name, suffix) {
			out = append(out, "`"+name+"`")
		}
	}
	return out
}

// writeRunning says in which order the compose files start and how the
// servers reload what gen writes.
func writeRunning(b *strings.Builder, s *model.Stack) {
	obs, prod := s.Outputs.ComposeObservability.Path, s.Outputs.ComposeProd.Path
	var reload []string
	for _, name := range slices.Sorted(maps.Keys(s.Outputs.ComposeObservability.Compose.Services)) {
		img := s.Outputs.ComposeObservability.Compose.Services[name].Image
		if strings.HasPrefix(img, "prom/") && !strings.HasSuffix(name, s.Settings.Secrets.CheckSuffix) {
			reload = append(reload, name)
		}
	}
	fmt.Fprintf(b, "\n## Starting and reloading\n\n"+
		"Start the observability file first: it creates the network `%s` that the prod file joins\n"+
		"(declared external there, so the prod file alone is refused):\n\n"+
		"    docker compose -f %s up -d\n"+
		"    APP_DOMAIN=<public host> LETSENCRYPT_EMAIL=<ACME e-mail> docker compose -f %s up -d\n\n"+
		"Take them down in the reverse order: the prod file's Caddy is attached to that network.\n"+
		"`down` without `-v` keeps the named volumes (below): data, silences and certificates.\n\n"+
		"After `go run mage.go gen`, the servers see the new files through their folder mounts;\n"+
		"reload them in place, without re-creating a container, by signalling each server from inside\n"+
		"its container:\n\n"+
		"    for s in %s; do docker compose -f %s exec $s kill -HUP 1; done\n"+
		"    docker compose -f %s exec caddy caddy reload --config %s --adapter caddyfile\n\n"+
		"Not `docker compose kill -s SIGHUP`: the engine records any signal sent that way as a stop by\n"+
		"hand, and `restart: unless-stopped` then never restarts that container after a crash or a\n"+
		"reboot (moby/moby#41302; seen on the engine by `go run mage.go engine`).\n",
		s.Settings.Monitoring.Network, obs, prod, strings.Join(reload, " "), obs, prod, s.Settings.Caddy.ConfigPath)
}

// writeAccess says how an operator reaches each UI.
func writeAccess(b *strings.Builder, s *model.Stack) {
	ex := s.Settings.Exposure
	fmt.Fprintf(b, "\n## Reaching the stack\n\n"+
		"Only %s publish ports on every interface of the host. Every other service publishes on\n"+
		"%s, the host's loopback: open it through an SSH tunnel to the host, whose login is the\n"+
		"authentication in front of the UIs that have none of their own. No UI is served by Caddy.\n\n"+
		"| service | on the host | open | authentication |\n|---|---|---|---|\n", strings.Join(ex.Public, ", "), ex.HostIP)
	for _, name := range slices.Sorted(maps.Keys(s.Settings.Services)) {
		svc := s.Settings.Services[name]
		if svc.ExternalURL == "" {
			continue
		}
		auth := "none: the SSH login"
		if a, ok := ex.Authenticated[name]; ok {
			auth = a
		}
		fmt.Fprintf(b, "| %s | `%s:%d` | `ssh -L %d:%s:%d <host>`, then %s | %s |\n",
			name, ex.HostIP, svc.HostPort, svc.HostPort, ex.HostIP, svc.HostPort, svc.ExternalURL, auth)
	}
}

// writeLayout explains the mounts and volumes of the compose files.
func writeLayout(b *strings.Builder, s *model.Stack) {
	g := s.Settings.Grafana
	b.WriteString("\n## Compose layout\n\n" +
		"- Every generated file reaches its container through a read-only mount of its folder,\n" +
		"  never alone: gen (like `git pull`) replaces a file by renaming a new one over it, and a\n" +
		"  single-file mount would keep the old file, so a reload would read the old config.\n")
	fmt.Fprintf(b, "- Grafana's dashboards are mounted at `%s`, beside the provisioning folder `%s`,\n"+
		"  not inside it as in the original layout (`%s/dashboards/lms`): the runtime cannot create a\n"+
		"  mount point inside a read-only mount, so that layout did not start (read-only file system).\n",
		g.DashboardsPath, g.ProvisioningPath, g.ProvisioningPath)
	b.WriteString("- State lives on named volumes, kept when a container is re-created:\n\n" +
		"| volume | service | holds |\n|---|---|---|\n")
	services := s.ComposeServices()
	for _, name := range slices.Sorted(maps.Keys(services)) {
		for _, v := range services[name].Volumes {
			if src, dst, ok := strings.Cut(v, ":"); ok && !strings.HasPrefix(src, ".") {
				fmt.Fprintf(b, "| `%s` | %s | `%s` |\n", src, name, dst)
			}
		}
	}
}
