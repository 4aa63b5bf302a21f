package gen

import (
	"os/exec"
	"strings"
	"testing"
)

// TestCUECLI: the CUE command line tool of the same version as the Go API
// (pinned by the tool directive of go.mod) vets the whole module and
// exports an environment.
func TestCUECLI(t *testing.T) {
	for _, args := range [][]string{
		{"vet", "-c", "./..."},
		{"export", "./" + EnvsDir + "/prod"},
	} {
		cmd := exec.Command("go", append([]string{"tool", "cue"}, args...)...)
		cmd.Dir = fixtureRoot
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("cue %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
}
