package verify

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"go.yaml.in/yaml/v3"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// githubWorkflowSchema is GitHub's workflow schema as SchemaStore publishes
// it (the schema editors validate .github/workflows/ with), vendored so
// that check never fetches anything; schemastore/README.md says from where.
//
//go:embed schemastore/github-workflow.json
var githubWorkflowSchema []byte

// workflowSchemaURL names the vendored schema inside the compiler: its
// published identity. Nothing is fetched: the compiler is given the
// document, and has no HTTP loader for anything else.
const workflowSchemaURL = "https://json.schemastore.org/github-workflow.json"

// compiledWorkflowSchema compiles the vendored schema once per process.
var compiledWorkflowSchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(githubWorkflowSchema))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource(workflowSchemaURL, doc); err != nil {
		return nil, err
	}
	return c.Compile(workflowSchemaURL)
})

// checkWorkflow validates the rendered CI workflow against GitHub's
// workflow schema: the CUE schema holds the subset we write, this holds it
// to what GitHub accepts.
func checkWorkflow(m *model.Model, files output.Files) model.Problems {
	out := m.Stack.Outputs.Workflow
	if err := ValidateWorkflow(files[out.Path]); err != nil {
		return model.Problems{{Pos: out.Path, Scope: "stack: " + path.Base(out.Path), Msg: err.Error()}}
	}
	return nil
}

// ValidateWorkflow validates a workflow file (YAML) against the schema.
func ValidateWorkflow(data []byte) error {
	sch, err := compiledWorkflowSchema()
	if err != nil {
		return fmt.Errorf("the vendored workflow schema does not compile: %w", err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("not YAML: %w", err)
	}
	// The validator takes JSON values; YAML's go through JSON.
	js, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return err
	}
	if err := sch.Validate(inst); err != nil {
		return fmt.Errorf("GitHub's workflow schema (SchemaStore) rejects it: %s", strings.TrimSpace(err.Error()))
	}
	return nil
}
