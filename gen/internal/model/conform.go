package model

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
)

// PrometheusRuleCRD is the file of the CUE definition `cue get crd`
// generated from prometheus-operator's PrometheusRule CRD (gen's crds
// target), and Def its definition.
const (
	PrometheusRuleCRD = SchemaDir + "/k8s/monitoring/v1/prometheusrule.cue"
	PrometheusRuleDef = "#PrometheusRule"
)

// Conforms unifies each object (JSON, as rendered) with definition def of
// the CUE file file under root, a file that imports only CUE's standard
// library such as a CRD's definitions, and returns, by object, what it
// breaks: "" for an object that conforms. It is how an object gen
// completes after the CUE evaluation (a PrometheusRule's groups) is held
// to its CRD.
func Conforms(root, file, def string, objects [][]byte) ([]string, error) {
	src, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	ctx := cuecontext.New()
	schema := ctx.CompileBytes(src, cue.Filename(file))
	if err := schema.Err(); err != nil {
		return nil, err
	}
	d := schema.LookupPath(cue.ParsePath(def))
	if !d.Exists() {
		return nil, fmt.Errorf("%s holds no %s", file, def)
	}
	out := make([]string, len(objects))
	for i, o := range objects {
		v := d.Unify(ctx.CompileBytes(o))
		if err := v.Validate(cue.Concrete(true)); err != nil {
			var msgs []string
			for _, e := range cueerrors.Errors(err) {
				format, args := e.Msg()
				at := e.Path()
				if len(at) > 0 && at[0] == def {
					at = at[1:] // the path in the object
				}
				msgs = append(msgs, fmt.Sprintf("%s: %s", strings.Join(at, "."), fmt.Sprintf(format, args...)))
			}
			out[i] = strings.Join(msgs, "; ")
		}
	}
	return out, nil
}
