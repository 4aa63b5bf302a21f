package model

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestEnvironmentsBeforeTheStack: an environment #Env refuses stops the
// load before the stack is evaluated, so that a refusal does not pay for
// the whole model. The proof is a stack that cannot even be built (a
// reference to nothing, added to derive/): with a refused environment
// beside it, only the environment's problem is reported; alone, the
// stack's is.
func TestEnvironmentsBeforeTheStack(t *testing.T) {
	root, err := filepath.Abs(testfix.Root)
	if err != nil {
		t.Fatal(err)
	}
	brokenStack := map[string][]byte{
		filepath.Join(root, "derive", "zz_broken.cue"): []byte("package derive\n\nbroken: noSuchField\n"),
	}
	refusedEnv := map[string][]byte{
		filepath.Join(root, "envs", "prod", "zz_refused.cue"): []byte("package env\n\njob: 42\n"),
	}
	both := map[string][]byte{}
	for _, o := range []map[string][]byte{brokenStack, refusedEnv} {
		for p, d := range o {
			both[p] = d
		}
	}
	for _, tc := range []struct {
		name    string
		overlay map[string][]byte
		want    string
		notWant string
	}{
		{"the stack alone", brokenStack, "derive/zz_broken.cue", "envs/prod/"},
		{"a refused environment beside it", both, "envs/prod/zz_refused.cue", "derive/zz_broken.cue"},
	} {
		_, err := LoadWith(root, tc.overlay)
		if err == nil {
			t.Fatalf("%s: the load passes", tc.name)
		}
		if msg := err.Error(); !strings.Contains(msg, tc.want) || strings.Contains(msg, tc.notWant) {
			t.Errorf("%s: the load reports\n%s\nwant a problem at %s and none at %s", tc.name, msg, tc.want, tc.notWant)
		}
	}
}
