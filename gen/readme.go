package gen

import (
	"fmt"
	"strings"
)

// renderOpsReadme writes ops/README.md: the generated marker for the files
// that cannot carry a comment (JSON), and the list of generated files.
func renderOpsReadme(header string, files []File) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "<!-- %s -->\n# ops/: generated\n\n", header)
	b.WriteString("Every file under `ops/` (and the two `docker-compose.*.yml` files at the\n" +
		"repository root) is generated from the CUE model in `envs/` by `go run mage.go gen`.\n" +
		"Do not edit them: edit `envs/`, run `go run mage.go gen`, commit both.\n" +
		"`go run mage.go check` fails when they differ from what gen renders.\n\n" +
		"Files:\n\n")
	for _, f := range files {
		fmt.Fprintf(&b, "- `%s`\n", f.Path)
	}
	return []byte(b.String())
}
