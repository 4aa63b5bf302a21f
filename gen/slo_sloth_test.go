package gen

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/toolbin"
)

// slothDifferences are every way our SLO rules differ from what sloth
// v0.16.0 generates for the same objectives (TestSlothAgrees), each with
// why ours is better. README's "SLOs" lists the same, by kind.
var slothDifferences = map[string]string{
	"zero-traffic guard":           "a window without a request has an error ratio of 0, not NaN (0/0): it burns no budget, and the period's ratio, the burn rates and the budget left stay numbers",
	"traffic-weighted period":      "the period's ratio is the share of the period's requests that failed (the 5-minute rates of bad and of all requests, summed), where sloth averages the 5-minute ratios: a quiet 5 minutes with 1 failure in 2 requests weighs there as much as a busy one",
	"rates of the shortest window": "slo:sli_errors:rate5m and slo:sli_requests:rate5m record what the traffic-weighted period's ratio sums",
	"decimal budget":               "the objective and the budget are the decimals they are (0.999, 0.001): sloth computes them in float64 (0.9990000000000001, 1-0.9990000000000001); the alerts' thresholds differ in the 13th digit only",
	"no generator stamp":           "sloth_slo_info carries no sloth_version, sloth_mode or sloth_spec: sloth did not generate these rules",
	"two groups":                   "the error ratios and the alerts are one group (lms-slo-<env>-<slo>), evaluated in order, so an alert reads the ratios of the same evaluation (sloth's alerts, in a group of their own, read them up to an evaluation late); the budget and the metadata, which no alert reads, are the second (lms-slo-<env>-<slo>-budget)",
	"an alert name per tier":       "the page and the ticket have names of their own, so each has its row in ops/ALERTS.md, its runbook section and its notification group",
	"tier and severity labels":     "the tier is the label tier (page or ticket) and the severity the environment's paging policy gives it, where sloth sets sloth_severity: routing and the page-mutes-ticket inhibition read labels every alert of the stack has",
	"for":                          "a `for` per tier (2m, 10m): one evaluation above a factor does not notify (sloth #787)",
	"annotations":                  "summary, description, runbook_url and dashboard_url, as every alert of the stack, where sloth writes title and summary",
}

// slothRequest is tools/slothoracle's Request.
type slothRequest struct {
	SLOs []slothSLO `json:"slos"`
}

type slothSLO struct {
	Service    string               `json:"service"`
	Name       string               `json:"name"`
	Objective  float64              `json:"objective"`
	Period     string               `json:"period"`
	Labels     map[string]string    `json:"labels"`
	ErrorQuery string               `json:"error_query"`
	TotalQuery string               `json:"total_query"`
	AlertName  string               `json:"alert_name"`
	Tiers      map[string]slothTier `json:"tiers"`
}

type slothTier struct {
	Windows []slothWindow     `json:"windows"`
	Labels  map[string]string `json:"labels"`
}

type slothWindow struct {
	Long          string  `json:"long"`
	Short         string  `json:"short"`
	BudgetPercent float64 `json:"budget_percent"`
}

// slothGroup is one of the groups sloth generates.
type slothGroup struct {
	Name  string            `json:"name"`
	Rules []model.AlertRule `json:"rules"`
}

// slothRules runs sloth's generator (tools/slothoracle, built once into
// the tool cache) on every SLO of s: by "<service>/<slo>", its groups.
func slothRules(t *testing.T, root string, s *model.Stack) map[string][]slothGroup {
	t.Helper()
	bin, err := toolbin.Binary(filepath.Join(root, "tools", "slothoracle"), ".")
	if err != nil {
		t.Fatalf("build tools/slothoracle: %v", err)
	}
	var req slothRequest
	for env, byName := range s.SLOs {
		for name, v := range byName {
			req.SLOs = append(req.SLOs, slothSLOOf(s, env, name, v))
		}
	}
	data, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin)
	cmd.Stdin = bytes.NewReader(data)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("slothoracle: %v\n%s", err, stderr.String())
	}
	res := map[string][]slothGroup{}
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("slothoracle's output: %v", err)
	}
	return res
}

// slothSLOOf writes one SLO as sloth's spec takes it: the same service,
// SLO name, objective, labels, indicator and tiers as derive/slo.cue uses.
func slothSLOOf(s *model.Stack, env, name string, v model.SLO) slothSLO {
	x := slothSLO{
		Service: v.Sloth.Service, Name: v.Sloth.SLO, Objective: v.Objective, Period: v.Period,
		Labels:     map[string]string{"slo": name, "environment": s.Envs[env].Labels["environment"]},
		ErrorQuery: v.SLI.ErrorQuery, TotalQuery: v.SLI.TotalQuery, AlertName: v.Tiers[0].Alert,
		Tiers: map[string]slothTier{},
	}
	for _, tier := range v.Tiers {
		st := slothTier{Labels: map[string]string{"tier": tier.Tier}}
		for _, w := range s.Settings.SLO.Tiers[tier.Tier].Windows {
			st.Windows = append(st.Windows, slothWindow{Long: w.Long, Short: w.Short, BudgetPercent: w.BudgetPercent})
		}
		x.Tiers[tier.Tier] = st
	}
	return x
}

// TestSlothAgrees feeds the fixture's SLOs to sloth v0.16.0's own generator
// and compares: the recording rules' names, labels and expressions, and
// each alert's windows and factors. Every difference must be one of
// slothDifferences, each of which must show up and be in README.md.
func TestSlothAgrees(t *testing.T) {
	t.Parallel()
	m, err := Load(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	theirs := slothRules(t, fixtureRoot, m.Stack)
	got := map[string][]string{}
	for _, d := range compareWithSloth(m.Stack, theirs) {
		got[d.kind] = append(got[d.kind], d.where)
	}
	for kind, where := range got {
		if _, known := slothDifferences[kind]; !known {
			t.Errorf("a difference from sloth no one has weighed: %s\n  %s", kind, strings.Join(where, "\n  "))
		}
	}
	for _, kind := range slices.Sorted(maps.Keys(slothDifferences)) {
		if _, found := got[kind]; !found {
			t.Errorf("known difference %q is gone: remove it from slothDifferences and README.md", kind)
		}
	}
	readme, err := os.ReadFile(filepath.Join(fixtureRoot, "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for kind := range slothDifferences {
		if !bytes.Contains(readme, []byte("| "+kind+" |")) {
			t.Errorf("README.md does not list the difference %q (a row \"| %s | ... |\")", kind, kind)
		}
	}
}

// TestSlothDisagreement: the comparison sees a factor or a window that is
// not sloth's, and a recording rule that is not there.
func TestSlothDisagreement(t *testing.T) {
	t.Parallel()
	m, err := Load(fixtureRoot)
	if err != nil {
		t.Fatal(err)
	}
	theirs := slothRules(t, fixtureRoot, m.Stack)
	for _, tc := range []struct{ name, old, new, want string }{
		{"a factor", "(14.4 * 0.001)", "(14.5 * 0.001)", "alert windows or factors differ"},
		{"a window", "slo:sli_error:ratio_rate6h{", "slo:sli_error:ratio_rate2h{", "alert windows or factors differ"},
	} {
		s := *m.Stack
		s.Outputs.Alerts.Rules.Groups = editRules(m.Stack.Outputs.Alerts.Rules.Groups, tc.old, tc.new)
		var kinds []string
		for _, d := range compareWithSloth(&s, theirs) {
			kinds = append(kinds, d.kind)
		}
		if !slices.Contains(kinds, tc.want) {
			t.Errorf("%s changed (%s → %s): the comparison does not say %q, it says %v", tc.name, tc.old, tc.new, tc.want, kinds)
		}
	}
}

// editRules copies groups with old replaced by new in the alerts' expressions.
func editRules(groups []model.RuleGroup, old, new string) []model.RuleGroup {
	out := slices.Clone(groups)
	for i := range out {
		out[i].Rules = slices.Clone(out[i].Rules)
		for j, r := range out[i].Rules {
			if !r.IsRecord() {
				out[i].Rules[j].Expr = strings.Replace(r.Expr, old, new, 1)
			}
		}
	}
	return out
}

// sloDiff is one difference from sloth: its kind, and where.
type sloDiff struct{ kind, where string }

func (d sloDiff) String() string { return fmt.Sprintf("%s: %s", d.kind, d.where) }
