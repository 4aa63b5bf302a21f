package gen

import (
	"fmt"
	"strings"
)

// renderOpsReadme writes ops/README.md: the generated marker for the files
// that cannot carry a comment (JSON), the list of generated files, and the
// secret files the stack reads at run time.
func renderOpsReadme(s *Stack, files []File) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# ops/: generated\n\n", s.GeneratedHeader)
	b.WriteString("Every file under `ops/` (and the two `docker-compose.*.yml` files at the\n" +
		"repository root) is generated from the CUE model in `envs/` by `go run mage.go gen`.\n" +
		"Do not edit them: edit `envs/`, run `go run mage.go gen`, commit both.\n" +
		"`go run mage.go check` fails when they differ from what gen renders.\n\n" +
		"## Files\n\n")
	for _, f := range files {
		fmt.Fprintf(&b, "- `%s`\n", f.Path)
	}
	b.WriteString("\n## Secrets\n\n" +
		"Credentials are never in this repository. Alertmanager reads each one from a file that\n" +
		"Docker Compose mounts as a secret from `./secrets/<name>` (git-ignored):\n\n" +
		"| file | mounted at | content |\n|---|---|---|\n")
	secrets := s.Settings.Alertmanager.Secrets
	for _, name := range sortedKeys(secrets) {
		fmt.Fprintf(&b, "| `./secrets/%s` | `%s` | %s |\n", name, s.Settings.Alertmanager.SecretFiles[name], secrets[name])
	}
	return []byte(b.String())
}
