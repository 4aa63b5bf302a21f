package gen

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// Stage is one timed step of the pipeline.
type Stage struct {
	Name string
	Run  func() error
}

// Stages are the pipeline's steps on the model under root, in order, for
// timing: each runs on the previous one's result.
func Stages(root string) []Stage {
	var m *Model
	var files []File
	var byPath Files
	return []Stage{
		{"load (CUE)", func() (err error) { m, err = Load(root); return err }},
		{"render", func() (err error) { files, err = Render(m.Stack); return err }},
		{"rule cases", func() error {
			byPath = Files{}
			for _, f := range files {
				byPath[f.Path] = f.Data
			}
			runs, _, err := RunRuleCases(m.Stack, byPath[m.Stack.Outputs.Alerts.Path])
			m.RuleRuns = runs
			return err
		}},
		{"verify", func() error { return Verify(m, files).Err() }},
	}
}

// Time runs the stages n times and writes the median of each, and its share
// of the total, to w.
func Time(w io.Writer, root string, n int) error {
	samples := map[string][]time.Duration{}
	var names []string
	for i := 0; i < n; i++ {
		for _, st := range Stages(root) {
			start := time.Now()
			if err := st.Run(); err != nil {
				return fmt.Errorf("%s: %w", st.Name, err)
			}
			if i == 0 {
				names = append(names, st.Name)
			}
			samples[st.Name] = append(samples[st.Name], time.Since(start))
		}
	}
	var total time.Duration
	medians := map[string]time.Duration{}
	for _, name := range names {
		s := samples[name]
		slices.Sort(s)
		medians[name] = s[len(s)/2]
		total += medians[name]
	}
	fmt.Fprintf(w, "median of %d runs\n", n)
	for _, name := range names {
		fmt.Fprintf(w, "  %-12s %9s  %5.1f%%\n", name, medians[name].Round(time.Microsecond), 100*float64(medians[name])/float64(total))
	}
	fmt.Fprintf(w, "  %-12s %9s\n", "total", total.Round(time.Microsecond))
	return nil
}
