package memo

import (
	"errors"
	"testing"
)

func TestDo(t *testing.T) {
	var c Cache[int]
	runs := 0
	f := func(v int) func() (int, error) {
		return func() (int, error) { runs++; return v, nil }
	}
	for _, tc := range []struct {
		inputs   [][]byte
		v, want  int
		wantRuns int
	}{
		{[][]byte{[]byte("rules"), []byte("cases")}, 1, 1, 1},
		{[][]byte{[]byte("rules"), []byte("cases")}, 2, 1, 1}, // remembered
		{[][]byte{[]byte("rule"), []byte("scases")}, 3, 3, 2}, // the same bytes split otherwise
		{[][]byte{[]byte("rules"), []byte("cases!")}, 4, 4, 3},
	} {
		got, err := c.Do(tc.inputs, f(tc.v))
		if err != nil || got != tc.want || runs != tc.wantRuns {
			t.Errorf("Do(%q) = %d, %v after %d runs; want %d after %d", tc.inputs, got, err, runs, tc.want, tc.wantRuns)
		}
	}
	fail := errors.New("build failed")
	if _, err := c.Do([][]byte{[]byte("x")}, func() (int, error) { return 0, fail }); err != fail {
		t.Fatalf("error %v, want %v", err, fail)
	}
	if got, _ := c.Do([][]byte{[]byte("x")}, f(5)); got != 5 {
		t.Errorf("a failure was remembered: got %d, want 5", got)
	}
}
