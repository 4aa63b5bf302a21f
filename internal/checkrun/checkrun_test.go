package checkrun

import (
	"bytes"
	"errors"
	"testing"
)

// TestAlways: CI set to anything runs every tool check; unset, the stamp
// may skip them.
func TestAlways(t *testing.T) {
	for _, tc := range []struct {
		ci   string
		want bool
	}{{"", false}, {"true", true}, {"1", true}, {"false", true}} {
		got := Always(func(k string) string {
			if k == "CI" {
				return tc.ci
			}
			return ""
		})
		if got != tc.want {
			t.Errorf("CI=%q: Always = %v, want %v", tc.ci, got, tc.want)
		}
	}
}

// TestSteps: every step is reported, a failure on the error stream with
// its cause, and the result names the failed steps in order.
func TestSteps(t *testing.T) {
	var out, errOut bytes.Buffer
	s := &steps{out: &out, errOut: &errOut}
	s.step("cue fmt", nil)
	s.step("go vet", errors.New("vet: x.go:1: bad"))
	s.step("gofmt", nil)
	s.step("go test", errors.New("FAIL"))
	if want := "check: cue fmt: ok\ncheck: gofmt: ok\n"; out.String() != want {
		t.Errorf("out = %q, want %q", out.String(), want)
	}
	if want := "check: go vet: FAILED\nvet: x.go:1: bad\ncheck: go test: FAILED\nFAIL\n"; errOut.String() != want {
		t.Errorf("errOut = %q, want %q", errOut.String(), want)
	}
	if err := s.err(); err == nil || err.Error() != "check failed: go vet, go test" {
		t.Errorf("err = %v, want check failed: go vet, go test", err)
	}
	if err := (&steps{}).err(); err != nil {
		t.Errorf("no step failed: err = %v, want nil", err)
	}
}
