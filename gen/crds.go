package gen

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"cuelang.org/go/cue/format"
)

// The operator's CRDs (one pinned prometheus-operator release, from its
// module zip) are committed in CRDDir; CRDDefsDir holds the CUE
// definitions the pinned CUE CLI generates from them (`cue get crd`), which
// schema/k8s.cue unifies every Kubernetes object with.
const (
	CRDDir     = SchemaDir + "/k8s/crds"
	CRDDefsDir = SchemaDir + "/k8s/monitoring"
	// CRDGroup is the API group of the operator's CRDs.
	CRDGroup = "monitoring.coreos.com"
)

// CRDDefinitions generates the CUE definitions of the CRDs in root's
// CRDDir with the CUE CLI of the root module's tool directive, in a
// scratch CUE module, cue fmt-formatted. It returns them by path relative
// to CRDDefsDir ("v1/prometheus.cue").
func CRDDefinitions(root string) (map[string][]byte, error) {
	cue, err := ToolBinary(root, "cuelang.org/go/cmd/cue")
	if err != nil {
		return nil, err
	}
	crds, err := filepath.Glob(filepath.Join(root, CRDDir, "*.yaml"))
	if err != nil || len(crds) == 0 {
		return nil, fmt.Errorf("no CRD under %s (%v)", CRDDir, err)
	}
	for i := range crds {
		if crds[i], err = filepath.Abs(crds[i]); err != nil {
			return nil, err
		}
	}
	tmp, err := os.MkdirTemp("", "lms-ops-crds-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	mod, err := os.ReadFile(filepath.Join(root, "cue.mod", "module.cue"))
	if err != nil {
		return nil, err
	}
	out := filepath.Join(tmp, "out")
	if err := os.MkdirAll(filepath.Join(tmp, "cue.mod"), 0o755); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(tmp, "cue.mod", "module.cue"), mod, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(cue, append([]string{"get", "crd", "--group", CRDGroup}, crds...)...)
	cmd.Dir = out
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("cue get crd: %v\n%s", err, msg)
	}
	defs := map[string][]byte{}
	err = filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		formatted, err := format.Source(src)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		rel, err := filepath.Rel(out, p)
		defs[filepath.ToSlash(rel)] = formatted
		return err
	})
	return defs, err
}

// WriteCRDDefinitions makes root's CRDDefsDir exactly defs.
func WriteCRDDefinitions(root string, defs map[string][]byte) error {
	dir := filepath.Join(root, CRDDefsDir)
	if err := os.RemoveAll(dir); err != nil {
		return err
	}
	paths := make([]string, 0, len(defs))
	for p := range defs {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		dst := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(dst, defs[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

// CRDDefinitionsDrift lists how root's committed CRDDefsDir differs from
// defs: files missing, different or not generated.
func CRDDefinitionsDrift(root string, defs map[string][]byte) ([]string, error) {
	var drift []string
	seen := map[string]bool{}
	dir := filepath.Join(root, CRDDefsDir)
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		seen[rel] = true
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		want, ok := defs[rel]
		switch {
		case !ok:
			drift = append(drift, CRDDefsDir+"/"+rel+": not generated from "+CRDDir)
		case !bytes.Equal(data, want):
			drift = append(drift, CRDDefsDir+"/"+rel+": differs from what `cue get crd` generates")
		}
		return nil
	})
	for p := range defs {
		if !seen[p] {
			drift = append(drift, CRDDefsDir+"/"+p+": missing")
		}
	}
	sort.Strings(drift)
	return drift, err
}
