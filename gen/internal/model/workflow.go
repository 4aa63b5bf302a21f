package model

// Workflow is a GitHub Actions workflow (schema.#Workflow).
type Workflow struct {
	Name string `json:"name" yaml:"name"`
	On   struct {
		Push             *WorkflowBranches `json:"push,omitempty" yaml:"push,omitempty"`
		PullRequest      *WorkflowBranches `json:"pull_request,omitempty" yaml:"pull_request,omitempty"`
		WorkflowDispatch *struct{}         `json:"workflow_dispatch,omitempty" yaml:"workflow_dispatch,omitempty"`
	} `json:"on" yaml:"on"`
	Permissions map[string]string `json:"permissions" yaml:"permissions"`
	Concurrency *struct {
		Group            string `json:"group" yaml:"group"`
		CancelInProgress bool   `json:"cancel-in-progress,omitempty" yaml:"cancel-in-progress,omitempty"`
	} `json:"concurrency,omitempty" yaml:"concurrency,omitempty"`
	Jobs map[string]WorkflowJob `json:"jobs" yaml:"jobs"`
}

// WorkflowBranches limits a trigger to some branches.
type WorkflowBranches struct {
	Branches []string `json:"branches,omitempty" yaml:"branches,omitempty"`
}

// WorkflowJob is one job of a workflow.
type WorkflowJob struct {
	Name           string         `json:"name,omitempty" yaml:"name,omitempty"`
	RunsOn         string         `json:"runs-on" yaml:"runs-on"`
	TimeoutMinutes int            `json:"timeout-minutes" yaml:"timeout-minutes"`
	Steps          []WorkflowStep `json:"steps" yaml:"steps"`
}

// WorkflowStep runs an action (Uses) or a shell command (Run).
type WorkflowStep struct {
	Name            string            `json:"name" yaml:"name"`
	ID              string            `json:"id,omitempty" yaml:"id,omitempty"`
	If              string            `json:"if,omitempty" yaml:"if,omitempty"`
	Uses            string            `json:"uses,omitempty" yaml:"uses,omitempty"`
	With            map[string]any    `json:"with,omitempty" yaml:"with,omitempty"`
	Env             map[string]string `json:"env,omitempty" yaml:"env,omitempty"`
	ContinueOnError bool              `json:"continue-on-error,omitempty" yaml:"continue-on-error,omitempty"`
	Run             string            `json:"run,omitempty" yaml:"run,omitempty"`
}
