package model

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	cuebuild "cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/parser"

	"github.com/lms/lms-ops/gen/internal/output"
)

// SchemaDir is the directory of the CUE definitions.
const SchemaDir = "schema"

// DeriveDir is the directory, and the name, of the CUE package of the
// stack's logic, which envs/ embeds.
const DeriveDir = "derive"

// EnvsDir is the directory of the CUE values: the shared stack in its own
// files, one environment per subdirectory.
const EnvsDir = "envs"

// Model is the evaluated CUE model: the decoded Stack and the CUE values it
// came from, kept to locate values in the operator's files.
type Model struct {
	Root  string
	Stack *Stack
	// Index is the generated envs/ file that imports every environment
	// into the stack (see renderIndex).
	Index output.File

	// names and overlay are what the model was loaded from, to evaluate it
	// again once released (PosOf).
	names   []string
	overlay map[string][]byte
	// cueMu serialises the lookups in the evaluated values (PosOf), and
	// their release and re-evaluation.
	cueMu sync.Mutex
	// cue is the evaluation the Stack was decoded from; nil once released.
	cue *evaluated
	// asked is whether PosOf was called.
	asked bool
}

// evaluated are the CUE values of a model: the environments as evaluated
// in their own directories, and the stack with every environment filled
// in, once it is built (stackOK).
type evaluated struct {
	envs map[string]cue.Value
	// b builds the stack when a position in it is asked for after Release
	// (PosOf): most problems are at an environment's line, which needs
	// the environments alone, a fraction of the stack's evaluation.
	b       *built
	stack   cue.Value
	stackOK bool
}

// Load is the only place CUE is loaded. It evaluates every environment
// (envs/<name>/*.cue) and checks each against the schema, then the shared
// stack (envs/*.cue), which imports them through the generated index,
// checks that every value is concrete, and decodes the result strictly
// into a Stack. All CUE errors
// are returned at once, each with its position relative to root.
func Load(root string) (*Model, error) {
	return LoadWith(root, nil)
}

// LoadWith is Load with some files replaced: overlay maps absolute paths of
// CUE files to their content (the e2e run's laptop overlay).
func LoadWith(root string, overlay map[string][]byte) (*Model, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	names, err := EnvNames(root)
	if err != nil {
		return nil, err
	}
	index, err := renderIndex(root, names)
	if err != nil {
		return nil, err
	}
	m := &Model{Root: root, Index: index, names: names, overlay: overlay}
	if m.cue, err = m.evaluateEnvs(); err != nil {
		return nil, err
	}
	if err := m.cue.evaluateStack(m.Root); err != nil {
		return nil, err
	}
	if m.Stack, err = decodeStrict(m.cue.stack); err != nil {
		return nil, fmt.Errorf("decode the evaluated model: %w", err)
	}
	return m, nil
}

// evaluateEnvs builds the model and checks its environments; the stack is
// evaluateStack's.
func (m *Model) evaluateEnvs() (*evaluated, error) {
	vals, err := build(m.Root, m.names, m.Index, m.overlay)
	if err != nil {
		return nil, err
	}
	e := &evaluated{b: vals}
	if e.envs, err = vals.checkEnvs(m.Root); err != nil {
		return nil, err
	}
	return e, nil
}

// evaluateStack builds and checks the stack, once the environments passed.
func (e *evaluated) evaluateStack(root string) error {
	if e.stackOK {
		return nil
	}
	if err := e.b.buildStack(root); err != nil {
		return err
	}
	v, err := e.b.checkStack(root)
	if err != nil {
		return err
	}
	e.stack, e.stackOK = v, true
	return nil
}

// Release lets the collector have the evaluated CUE values once the Stack
// is all that is read. They are most of the heap (about 10 MB per
// environment), which every collection while gen renders and checks would
// otherwise go through again. PosOf evaluates the model again the first
// time it needs a position after this: only a run with problems pays it,
// and the stack only for a position in the stack's own values.
func (m *Model) Release() {
	m.cueMu.Lock()
	defer m.cueMu.Unlock()
	m.cue = nil
}

// Asked reports whether a position was asked for (PosOf). A run without
// problems asks for none: a check that asks before it has a problem makes
// every run of a large model evaluate it twice.
func (m *Model) Asked() bool {
	m.cueMu.Lock()
	defer m.cueMu.Unlock()
	return m.asked
}

// Released reports whether the evaluated values are released: true after
// Release until PosOf needs them again.
func (m *Model) Released() bool {
	m.cueMu.Lock()
	defer m.cueMu.Unlock()
	return m.cue == nil
}

// The CUE names the loader looks up or recognises in error paths.
const (
	// labelStack is the check instance's field that holds the stack closed
	// by #Stack (checkFile); errors of the stack start with it.
	labelStack = "stack"
	// defEnv is the schema's definition of one environment.
	defEnv = "#Env"
	// labelEnvs holds the environments in the stack; _bounds holds
	// per-environment bounds, _limits the stack's own: errors under them
	// are about the environment's (or stack's) value they name.
	labelEnvs   = "envs"
	labelBounds = "_bounds"
	labelLimits = "_limits"
)

// built are the evaluated instances, by what they are rather than by their
// place in the load arguments.
type built struct {
	ctx       *cue.Context
	checkInst *cuebuild.Instance
	schema    cue.Value            // schema/
	check     cue.Value            // the overlay-only instance (checkFile), once buildStack ran
	envs      map[string]cue.Value // envs/<name>/, as written, unchecked
	names     []string             // the environments, sorted
}

// build loads and evaluates the schema, the check instance and every
// environment, with the generated index and the overlay in place.
func build(root string, names []string, index output.File, overlay map[string][]byte) (*built, error) {
	// The stack reads its environments through the index; gen loads the
	// index it is about to write, so a new envs/<name>/ needs no step first.
	mod, err := cueModule(root)
	if err != nil {
		return nil, err
	}
	cfg := &load.Config{Dir: root, ParseFile: parseWithoutComments, Overlay: map[string]load.Source{
		filepath.Join(root, filepath.FromSlash(index.Path)): load.FromBytes(index.Data),
		filepath.Join(root, checkDir, "check.cue"):          load.FromString(checkFile(mod)),
	}}
	for p, data := range overlay {
		cfg.Overlay[p] = load.FromBytes(data)
	}
	schemaArg, checkArg := "./"+SchemaDir, "./"+checkDir
	args := []string{schemaArg, checkArg}
	scopes := map[string]string{schemaArg: "schema", checkArg: "stack"}
	for _, n := range names {
		args = append(args, envArg(n))
		scopes[envArg(n)] = "env " + n
	}
	insts := load.Instances(args, cfg)
	var ps Problems
	for i, inst := range insts {
		if inst.Err != nil {
			ps = append(ps, CUEProblems(root, scopes[args[i]], "", inst.Err, nil)...)
		}
	}
	if len(ps) > 0 {
		return nil, ps
	}
	// Building an instance evaluates it. The check instance, the whole
	// stack, is built apart (buildStack), once every environment passes
	// #Env: a refused environment then costs its own evaluation, not the
	// stack's, which it would stop anyway.
	b := &built{ctx: cuecontext.New(), envs: map[string]cue.Value{}, names: names}
	// early are the schema, then the environments in names' order.
	var early []*cuebuild.Instance
	for i, a := range args {
		if a == checkArg {
			b.checkInst = insts[i]
		} else {
			early = append(early, insts[i])
		}
	}
	vals, err := b.ctx.BuildInstances(early)
	if err != nil {
		return nil, CUEProblems(root, "", "", err, nil)
	}
	b.schema = vals[0]
	for i, n := range names {
		b.envs[n] = vals[i+1]
	}
	return b, nil
}

// parseWithoutComments parses a CUE file as the loader does, without its
// comments: the model reads values and positions, never a comment, and the
// CRDs' definitions (schema/k8s/monitoring/, 1 MB) are 87% descriptions,
// parsed at every load (14 ms with them, 10 ms without).
func parseWithoutComments(name string, src any, cfg parser.Config) (*ast.File, error) {
	cfg.Mode &^= parser.ParseComments
	return parser.ParseFile(name, src, cfg)
}

// buildStack evaluates the check instance: the stack, closed by #Stack.
// Its own errors are checkStack's to report.
func (b *built) buildStack(root string) error {
	vals, err := b.ctx.BuildInstances([]*cuebuild.Instance{b.checkInst})
	if err != nil {
		return CUEProblems(root, "", "", err, nil)
	}
	b.check = vals[0]
	return nil
}

// envArg is the load argument of environment n.
func envArg(n string) string { return "./" + EnvsDir + "/" + n }

// checkEnvs unifies each environment with #Env and checks it is concrete.
// Each is checked on its own first, so that its errors are reported at its
// own lines and do not break the whole stack.
func (b *built) checkEnvs(root string) (map[string]cue.Value, error) {
	// Unify with the definitions explicitly: CUE does not close the fields
	// declared next to an embedded definition, so the files' own
	// `schema.#Env` embedding would let a typo such as `thresholdz` through.
	envDef := b.schema.LookupPath(cue.MakePath(cue.Def(defEnv)))
	out := map[string]cue.Value{}
	var ps Problems
	for _, n := range b.names {
		ev := envDef.Unify(b.envs[n])
		if err := ev.Validate(cue.Concrete(true)); err != nil {
			ps = append(ps, CUEProblems(root, "env "+n, defEnv+".", err, func(p []string) (located, bool) { return b.locate(root, n, p) })...)
			continue
		}
		out[n] = ev
	}
	if len(ps) > 0 {
		return nil, ps
	}
	return out, nil
}

// checkStack is the stack closed by #Stack, checked to be concrete.
func (b *built) checkStack(root string) (cue.Value, error) {
	v := b.check.LookupPath(cue.MakePath(cue.Str(labelStack)))
	if err := v.Validate(cue.Concrete(true)); err != nil {
		ps := withoutOutputErrors(CUEProblems(root, "stack", labelStack+".", err, func(p []string) (located, bool) { return b.locate(root, "", p) }))
		if len(ps) > 0 {
			return cue.Value{}, ps
		}
	}
	return v, nil
}

// locate puts an error about an environment's value at the operator's own
// line, whichever file holds the rule it broke; and an error of the stack's
// _limits at the line of the stack value it is about.
func (b *built) locate(root, env string, path []string) (located, bool) {
	if len(path) > 0 && (strings.HasPrefix(path[0], "#") || env == "" && path[0] == labelStack) {
		path = path[1:]
	}
	if env == "" && len(path) > 2 && (path[0] == labelEnvs || path[0] == labelBounds) {
		env, path = path[1], path[2:]
		// A name that is not a CUE identifier (prod-eu) is quoted.
		if u, err := strconv.Unquote(env); err == nil {
			env = u
		}
	}
	if env == "" && len(path) > 1 && path[0] == labelLimits {
		at := located{scope: "stack", path: strings.Join(path[1:], ".")}
		at.pos = operatorPos(root, b.check.LookupPath(cue.ParsePath(labelStack+"."+at.path)))
		return at, at.pos != ""
	}
	v, ok := b.envs[env]
	if !ok || len(path) == 0 {
		return located{}, false
	}
	at := located{scope: "env " + env, path: strings.Join(path, ".")}
	at.pos = operatorPos(root, v.LookupPath(cue.ParsePath(at.path)))
	return at, at.pos != ""
}

// checkDir is the folder of the overlay-only instance that unifies the
// stack with #Stack (checkFile).
const checkDir = ".lms-ops-check"

// checkFile unifies the stack package with the schema's #Stack in CUE
// rather than with Value.Unify: building an instance evaluates it, so
// building the stack and then unifying it would evaluate the whole stack
// twice; imported here, it is evaluated once, closed by #Stack.
func checkFile(mod string) string {
	return fmt.Sprintf("package check\n\nimport (\n\t\"%[1]s/%[2]s\"\n\ts \"%[1]s/%[3]s:stack\"\n)\n\n%[4]s: schema.#Stack & s\n", mod, SchemaDir, EnvsDir, labelStack)
}

// EnvNames lists the environment directories: every directory under envs/
// that holds a .cue file. Adding envs/<new>/ is all it takes.
func EnvNames(root string) ([]string, error) {
	entries, err := os.ReadDir(filepath.Join(root, EnvsDir))
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		files, err := filepath.Glob(filepath.Join(root, EnvsDir, e.Name(), "*.cue"))
		if err != nil {
			return nil, err
		}
		if len(files) > 0 {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

// decodeStrict decodes v into a Stack, failing on any field the Go model does
// not know.
func decodeStrict(v cue.Value) (*Stack, error) {
	data, err := v.MarshalJSON()
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Stack
	if err := dec.Decode(&s); err != nil {
		return nil, err
	}
	return &s, nil
}

// PosOf returns the position, relative to the repository root, of the value
// at path ("alerts.LMSHighErrorRate.threshold") in environment env, or of the
// stack value when env is "". It returns "" when the value has no position.
// It is safe for concurrent use: the checks run in parallel, and CUE values
// are not safe for concurrent use.
func (m *Model) PosOf(env string, path Path) string {
	m.cueMu.Lock()
	defer m.cueMu.Unlock()
	m.asked = true
	// It evaluated when loaded: only a file changed since can fail it.
	if m.cue == nil {
		e, err := m.evaluateEnvs()
		if err != nil {
			return ""
		}
		m.cue = e
	}
	if env != "" {
		return operatorPos(m.Root, m.cue.envs[env].LookupPath(cue.ParsePath(string(path))))
	}
	if err := m.cue.evaluateStack(m.Root); err != nil {
		return ""
	}
	return operatorPos(m.Root, m.cue.stack.LookupPath(cue.ParsePath(string(path))))
}

// operatorPos is the position of v, or of the first value it was unified
// from, outside schema/: where the operator wrote it. "" when none.
func operatorPos(root string, v cue.Value) string {
	if !v.Exists() {
		return ""
	}
	for _, c := range append([]cue.Value{v}, conjuncts(v)...) {
		pos := c.Pos()
		if src := c.Source(); src != nil {
			pos = src.Pos() // the value itself, where Pos may give its struct
		}
		if pos.IsValid() && !strings.Contains(pos.Filename(), "/"+SchemaDir+"/") {
			return RelPos(root, pos)
		}
	}
	return ""
}

// conjuncts returns the values v was unified from.
func conjuncts(v cue.Value) []cue.Value {
	op, args := v.Expr()
	if op != cue.AndOp {
		return nil
	}
	return args
}
