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
	dir := s.Settings.Secrets.HostDir
	fmt.Fprintf(&b, "\n## Secrets\n\n"+
		"Credentials are never in this repository. Alertmanager reads each one from a file that\n"+
		"Docker Compose mounts as a secret from `./%s/<name>` (git-ignored):\n\n"+
		"| file | mounted at | content |\n|---|---|---|\n", dir)
	secrets := s.Settings.Alertmanager.Secrets
	for _, name := range slices.Sorted(maps.Keys(secrets)) {
		fmt.Fprintf(&b, "| `./%s/%s` | `%s` | %s |\n", dir, name, s.Settings.Alertmanager.SecretFiles[name], secrets[name])
	}
	return []byte(b.String())
}
