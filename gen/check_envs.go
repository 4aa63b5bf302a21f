package gen

import (
	"fmt"
	"sort"
)

// checkUniqueEnvs rejects two environments that share a scrape job, a
// target or an environment label: a copied envs/<name>/ that was not edited.
func checkUniqueEnvs(m *Model, _ Files) Problems {
	var ps Problems
	names := sortedKeys(m.Stack.Envs)
	fields := []struct {
		path string
		get  func(Env) string
	}{
		{"job", func(e Env) string { return e.Job }},
		{"target", func(e Env) string { return e.Target }},
		{"labels.environment", func(e Env) string { return e.Labels["environment"] }},
	}
	for _, f := range fields {
		first := map[string]string{}
		for _, n := range names {
			v := f.get(m.Stack.Envs[n])
			if prev, ok := first[v]; ok {
				ps = append(ps, Problem{
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

// sortedKeys returns the keys of a string-keyed map in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
