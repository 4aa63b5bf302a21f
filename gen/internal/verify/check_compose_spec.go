package verify

import (
	"context"
	"crypto/sha256"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

const composeModule = "github.com/compose-spec/compose-go/v2"

// composeFile is one generated compose file, with its CUE field.
type composeFile struct {
	key string // the field under outputs ("composeObservability")
	model.ComposeOutput
}

func composeFiles(s *model.Stack) []composeFile {
	return []composeFile{{"composeObservability", s.Outputs.ComposeObservability}, {"composeProd", s.Outputs.ComposeProd}}
}

// pos is where the CUE model writes the compose file's value at p, a
// model.PathCompose… path: the file's key fills its first "*", parts the
// others.
func (c composeFile) pos(m *model.Model, p model.Path, parts ...any) string {
	return m.PosOf("", p.At(append([]any{c.key}, parts...)...))
}

// requiredVar matches a variable Compose requires to be set: ${NAME:?msg}.
var requiredVar = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*):?\?`)

// requiredVars lists the variables a compose file requires, sorted.
func requiredVars(data []byte) []string {
	seen := map[string]bool{}
	for _, m := range requiredVar.FindAllSubmatch(data, -1) {
		seen[string(m[1])] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// composeEnv gives every required variable a value: the example of the
// Caddy settings where there is one.
func composeEnv(s *model.Stack, vars []string) map[string]string {
	env := map[string]string{}
	for _, v := range vars {
		env[v] = "example"
		if ex, ok := s.Settings.Caddy.Examples[v]; ok {
			env[v] = ex
		}
	}
	return env
}

// loadCompose loads a compose file with Compose's own loader, the library
// `docker compose` runs: interpolation from env (and nothing else from the
// machine), the Compose Specification schema, normalization, paths
// resolved against the repository root, and project validation.
func loadCompose(root string, c composeFile, data []byte, env map[string]string) (*types.Project, error) {
	key := fmt.Sprint(root, "\x00", c.Path, "\x00", env, "\x00", sha256.Sum256(data))
	if v, ok := composeLoads.Load(key); ok {
		r := v.(composeLoad)
		return r.p, r.err
	}
	p, err := loadComposeUncached(root, c, data, env)
	composeLoads.Store(key, composeLoad{p, err})
	return p, err
}

// composeLoads remembers each load: the checks read the same projects, and
// a project is never modified once loaded.
var composeLoads sync.Map

type composeLoad struct {
	p   *types.Project
	err error
}

func loadComposeUncached(root string, c composeFile, data []byte, env map[string]string) (*types.Project, error) {
	details := types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: c.Path, Content: data}},
		Environment: env,
	}
	return loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName("lms-ops", true)
		o.ResolvePaths = true
	})
}

// loadedProject is a compose file as Compose loads it with its required
// variables set.
type loadedProject struct {
	composeFile
	*types.Project
}

// composeProjects loads every compose file; one that does not load is left
// out (checkComposeSpec reports why).
func composeProjects(m *model.Model, files output.Files) []loadedProject {
	var out []loadedProject
	for _, c := range composeFiles(m.Stack) {
		data := files[c.Path]
		p, err := loadCompose(m.Root, c, data, composeEnv(m.Stack, requiredVars(data)))
		if err == nil {
			out = append(out, loadedProject{c, p})
		}
	}
	return out
}

// checkComposeSpec: each compose file loads with Compose's own loader when
// the variables it requires are set, and fails, naming the variable, when
// one of them is not: Compose then refuses to start rather than start with
// an empty value.
func checkComposeSpec(m *model.Model, files output.Files) model.Problems {
	var ps model.Problems
	reject := "Compose (" + composeModule + " " + linkedVersion(composeModule) + ") "
	for _, c := range composeFiles(m.Stack) {
		data := files[c.Path]
		scope := "stack: " + c.Path
		vars := requiredVars(data)
		env := composeEnv(m.Stack, vars)
		if _, err := loadCompose(m.Root, c, data, env); err != nil {
			ps = append(ps, model.Problem{Pos: c.pos(m, model.PathCompose), Also: []string{c.Path}, Scope: scope,
				Msg: reject + "rejects it: " + err.Error()})
			continue
		}
		for _, v := range vars {
			without := maps.Clone(env)
			delete(without, v)
			_, err := loadCompose(m.Root, c, data, without)
			if err == nil || !strings.Contains(err.Error(), v) {
				ps = append(ps, model.Problem{Pos: c.pos(m, model.PathCompose), Also: []string{c.Path}, Scope: scope,
					Msg: fmt.Sprintf("%sloads it with %s unset (%v): it would start with an empty value instead of refusing", reject, v, err)})
			}
		}
	}
	return ps
}
