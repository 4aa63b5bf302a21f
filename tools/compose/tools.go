//go:build tools

// Package tools pins Docker Compose v2 for the module's build.
package tools

import _ "github.com/docker/compose/v2/cmd"
