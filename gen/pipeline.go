// Package gen is the lms-ops pipeline as a library: load the CUE model,
// render every output in memory, verify it with the real parsers and the
// whole-stack rules, then write it all-or-nothing or compare it with what is
// committed. It has no Mage dependency; magefiles/ only calls it.
package gen

// Generate loads the model under root, renders every output and verifies
// the result. It writes nothing: on success the caller writes (Write) or
// compares (Compare) the files; on failure every problem found is returned.
func Generate(root string) (*Model, []File, error) {
	m, err := Load(root)
	if err != nil {
		return nil, nil, err
	}
	files, err := Render(m.Stack)
	if err != nil {
		return nil, nil, err
	}
	if err := Verify(m, files).Err(); err != nil {
		return nil, nil, err
	}
	return m, files, nil
}
