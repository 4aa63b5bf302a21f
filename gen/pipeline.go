// Package gen is the lms-ops pipeline as a library: load the CUE model,
// render every output in memory, verify it with the real parsers and the
// whole-stack rules, then write it all-or-nothing or compare it with what is
// committed. It has no Mage dependency; magefiles/ only calls it.
package gen

import "sort"

// Generate loads the model under root, renders every output and verifies
// the result. It writes nothing: on success the caller writes (Write) or
// compares (Compare) the files; on failure every problem found is returned.
func Generate(root string) (*Model, []File, error) {
	return GenerateWith(root, nil)
}

// GenerateWith is Generate with some CUE files replaced (see LoadWith).
func GenerateWith(root string, overlay map[string][]byte) (*Model, []File, error) {
	m, err := LoadWith(root, overlay)
	if err != nil {
		return nil, nil, err
	}
	files, err := Render(m.Stack)
	if err != nil {
		return nil, nil, err
	}
	// The rule tests run once, on the rendered rule file: their outcome is
	// both checked (rule-tests) and written as promtool's test file.
	var ruleFile []byte
	for _, f := range files {
		if f.Path == m.Stack.Outputs.Alerts.Path {
			ruleFile = f.Data
		}
	}
	if m.RuleRuns, m.Skipped, err = RunRuleCases(m.Stack, ruleFile); err != nil {
		return nil, nil, err
	}
	tests, err := renderPromtoolTests(m.Stack, m.RuleRuns)
	if err != nil {
		return nil, nil, err
	}
	files = insertFile(files, File{PromtoolTestsPath(m.Stack), tests})
	files = insertFile(files, File{OpsDir + "/README.md", renderOpsReadme(m.Stack, files)})
	if err := Verify(m, files).Err(); err != nil {
		return nil, nil, err
	}
	return m, files, nil
}

// insertFile adds f to files, kept sorted by path.
func insertFile(files []File, f File) []File {
	i := sort.Search(len(files), func(i int) bool { return files[i].Path >= f.Path })
	return append(files[:i], append([]File{f}, files[i:]...)...)
}
