package model

import (
	"testing"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestMillis: the schema's #Millis gives, for each form of duration
// Prometheus accepts (one unit, read without the regular expression, and
// several), the milliseconds Prometheus's own parser gives.
func TestMillis(t *testing.T) {
	insts := load.Instances([]string{"./" + SchemaDir}, &load.Config{Dir: testfix.Root})
	if err := insts[0].Err; err != nil {
		t.Fatal(err)
	}
	schema := cuecontext.New().BuildInstance(insts[0])
	millis := schema.LookupPath(cue.MakePath(cue.Def("Millis")))
	if err := millis.Err(); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{
		"0s", "100ms", "15s", "5m", "2h", "3d", "4w", "1y", "007m",
		"1h30m", "90m30s", "1d12h", "2w1d", "1y2w3d4h5m6s7ms", "1s500ms", "0h0m1s",
	} {
		want, err := pmodel.ParseDuration(in)
		if err != nil {
			t.Fatalf("Prometheus refuses %q: %v", in, err)
		}
		got, err := millis.FillPath(cue.ParsePath("in"), in).LookupPath(cue.ParsePath("out")).Int64()
		if err != nil {
			t.Errorf("#Millis & {in: %q}: %v", in, err)
			continue
		}
		if w := time.Duration(want).Milliseconds(); got != w {
			t.Errorf("#Millis & {in: %q} = %d, want %d (Prometheus)", in, got, w)
		}
	}
}
