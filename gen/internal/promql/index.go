package promql

import (
	"runtime"
	"sync"
	"weak"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/lms/lms-ops/gen/internal/model"
)

// index is what the lookups of this package read of a stack, worked out
// once per stack. Each lookup used to go through every rule group and
// every scrape job, and every check asks it for every selector of every
// rule: with n environments, n² steps, the quadratic part of verify that
// issue 23's scale bench found (at 100 environments the label inference
// cost 16 times what it cost at 30).
type index struct {
	// records are the recording rules by the series they write, in file
	// order; byLabel narrows them by the value of a label that every
	// recording of the series sets (SLO recordings share names across
	// environments and differ by their sloth_id and environment labels).
	// A label some recording leaves unset is not indexed: that recording
	// may get it from its expression, so it matches any value.
	records map[string][]model.AlertRule
	byLabel map[string]map[string]map[string][]int // series → label → value → positions in records[series]
	// jobs are the scrape jobs; byJob finds them by name.
	jobs  []model.ScrapeJob
	byJob map[string][]int
	// static are the labels some job's static configs set.
	static LabelSet

	alertsOnce sync.Once
	alerts     []RealAlert
}

// indexes holds the index of each stack until the stack is collected: the
// key is weak, and a cleanup drops the entry (the suite evaluates hundreds
// of stacks in one process).
var indexes sync.Map // weak.Pointer[model.Stack] → *index

// indexOf is the index of s. A stack is not changed once loaded (a test
// that edits one edits a copy, which gets its own index).
func indexOf(s *model.Stack) *index {
	k := weak.Make(s)
	if ix, ok := indexes.Load(k); ok {
		return ix.(*index)
	}
	ix, loaded := indexes.LoadOrStore(k, newIndex(s))
	if !loaded {
		runtime.AddCleanup(s, func(k weak.Pointer[model.Stack]) { indexes.Delete(k) }, k)
	}
	return ix.(*index)
}

func newIndex(s *model.Stack) *index {
	ix := &index{records: map[string][]model.AlertRule{}, byLabel: map[string]map[string]map[string][]int{},
		jobs: s.Outputs.Prometheus.Config.ScrapeConfigs, byJob: map[string][]int{}, static: LabelSet{}}
	for _, g := range s.Outputs.Alerts.Rules.Groups {
		for _, r := range g.Rules {
			if !r.IsRecord() {
				continue
			}
			if ix.byLabel[r.Record] == nil {
				ix.byLabel[r.Record] = map[string]map[string][]int{}
			}
			for l, v := range r.Labels {
				if ix.byLabel[r.Record][l] == nil {
					ix.byLabel[r.Record][l] = map[string][]int{}
				}
				ix.byLabel[r.Record][l][v] = append(ix.byLabel[r.Record][l][v], len(ix.records[r.Record]))
			}
			ix.records[r.Record] = append(ix.records[r.Record], r)
		}
	}
	for name, byLabel := range ix.byLabel {
		for l, byValue := range byLabel {
			n := 0
			for _, is := range byValue {
				n += len(is)
			}
			if n < len(ix.records[name]) {
				delete(byLabel, l)
			}
		}
	}
	for i, j := range ix.jobs {
		ix.byJob[j.JobName] = append(ix.byJob[j.JobName], i)
		for _, sc := range j.StaticConfigs {
			for k := range sc.Labels {
				ix.static[k] = true
			}
		}
	}
	return ix
}

// recordCandidates are the recordings of vs's series that can match it,
// in file order, narrowed by its first equality matcher on an indexed
// label; Recordings filters them further.
func (ix *index) recordCandidates(vs *parser.VectorSelector) []model.AlertRule {
	all := ix.records[vs.Name]
	for _, m := range vs.LabelMatchers {
		byValue, ok := ix.byLabel[vs.Name][m.Name]
		if m.Type != labels.MatchEqual || !ok {
			continue
		}
		var out []model.AlertRule
		for _, i := range byValue[m.Value] {
			out = append(out, all[i])
		}
		return out
	}
	return all
}

// jobCandidates are the jobs vs can read from, in order, narrowed by its
// equality matcher on job when it has one; JobsMatching filters them
// further.
func (ix *index) jobCandidates(vs *parser.VectorSelector) []model.ScrapeJob {
	for _, m := range vs.LabelMatchers {
		if m.Name == "job" && m.Type == labels.MatchEqual {
			var out []model.ScrapeJob
			for _, i := range ix.byJob[m.Value] {
				out = append(out, ix.jobs[i])
			}
			return out
		}
	}
	return ix.jobs
}
