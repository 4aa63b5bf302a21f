package render

import (
	"fmt"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
)

// Caddyfile writes the Caddyfile the way `caddy fmt` formats it (tab
// indentation, one blank line between blocks); the Caddy check proves it.
func Caddyfile(header string, c model.Caddy) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s\n{\n\temail %s\n}\n", header, c.Email)
	for _, s := range c.Sites {
		fmt.Fprintf(&b, "\n%s {\n", s.Address)
		if len(s.Encode) > 0 {
			fmt.Fprintf(&b, "\tencode %s\n", strings.Join(s.Encode, " "))
		}
		if len(s.PrivatePaths) > 0 {
			var paths []string
			for _, p := range s.PrivatePaths {
				paths = append(paths, p, strings.TrimSuffix(p, "/")+"/*")
			}
			fmt.Fprintf(&b, "\t@private path %s\n\trespond @private 404\n", strings.Join(paths, " "))
		}
		if s.Metrics {
			b.WriteString("\tmetrics\n}\n")
			continue
		}
		fmt.Fprintf(&b, "\treverse_proxy %s\n}\n", s.Upstream)
	}
	return []byte(b.String())
}
