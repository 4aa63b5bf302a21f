package gen

import (
	"fmt"
	"strings"
)

// Caddy is the Caddyfile (schema.#Caddy).
type Caddy struct {
	Email string      `json:"email"`
	Sites []CaddySite `json:"sites"`
}

// CaddySite is one site block.
type CaddySite struct {
	Address      string   `json:"address"`
	Encode       []string `json:"encode"`
	PrivatePaths []string `json:"private_paths"`
	Upstream     string   `json:"upstream"`
}

// renderCaddyfile writes the Caddyfile the way `caddy fmt` formats it (tab
// indentation, one blank line between blocks); the Caddy check proves it.
func renderCaddyfile(header string, c Caddy) []byte {
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
		fmt.Fprintf(&b, "\treverse_proxy %s\n}\n", s.Upstream)
	}
	return []byte(b.String())
}
