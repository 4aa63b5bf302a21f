//go:build ignore

// Zero-install entry point: `go run mage.go <target>` builds and runs the
// targets in magefiles/ with the Mage version pinned in go.mod.
package main

import (
	"os"

	"github.com/magefile/mage/mage"
)

func main() { os.Exit(mage.Main()) }
