package verify

import (
	"fmt"
	"maps"
	"slices"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// checkUniqueEnvs rejects two environments that share a scrape job, a
// target or an environment label: a copied envs/<name>/ that was not edited.
func checkUniqueEnvs(m *model.Model, _ output.Files) model.Problems {
	var ps model.Problems
	names := slices.Sorted(maps.Keys(m.Stack.Envs))
	fields := []struct {
		path model.Path
		get  func(model.Env) string
	}{
		{model.PathInEnvJob, func(e model.Env) string { return e.Job }},
		{model.PathInEnvTarget, func(e model.Env) string { return e.Target }},
		{model.PathInEnvEnvironment, func(e model.Env) string { return e.Labels["environment"] }},
	}
	for _, f := range fields {
		first := map[string]string{}
		for _, n := range names {
			v := f.get(m.Stack.Envs[n])
			if prev, ok := first[v]; ok {
				ps = append(ps, model.Problem{
					Pos:   m.PosOf(n, f.path),
					Scope: "env " + n,
					Msg:   fmt.Sprintf("%s: %q is already used by env %s (%s)", f.path, v, prev, m.PosOf(prev, f.path)),
				})
				continue
			}
			first[v] = n
		}
	}
	return ps
}
