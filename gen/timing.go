package gen

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Time runs the pipeline n times on the model under root and writes the
// median of each stage and check, and its share of the whole, to w. It
// times the same Run that gen and check call, through its Observe hook.
func Time(w io.Writer, root string, n int) error {
	samples := map[string][]time.Duration{}
	var names []string
	for i := 0; i < n; i++ {
		_, err := Run(root, Options{Observe: func(step string, took time.Duration) {
			if i == 0 {
				names = append(names, step)
			}
			samples[step] = append(samples[step], took)
		}})
		if err != nil {
			return err
		}
	}
	median := func(step string) time.Duration {
		s := slices.Clone(samples[step])
		slices.Sort(s)
		return s[len(s)/2]
	}
	var total time.Duration
	for _, st := range []string{"load", "render", "verify"} {
		total += median(st)
	}
	fmt.Fprintf(w, "median of %d runs\n", n)
	for _, name := range names {
		indent := "  "
		if len(name) > 6 && name[:6] == "check " {
			indent = "      "
		}
		fmt.Fprintf(w, "%s%-28s %9s  %5.1f%%\n", indent, name, median(name).Round(time.Microsecond), 100*float64(median(name))/float64(total))
	}
	fmt.Fprintf(w, "  %-28s %9s\n", "total", total.Round(time.Microsecond))
	return nil
}
