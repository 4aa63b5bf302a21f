// Command slothoracle runs sloth v0.16.0's own generator (github.com/slok/sloth,
// pkg/lib) on SLOs given as JSON on stdin, offline, and prints the rules it
// generates as JSON on stdout: the oracle TestSlothAgrees (gen) holds the SLO
// rules of envs/slo.cue to.
//
// Each SLO of the Request is written as sloth writes one in its
// prometheus/v1 spec: the service, the SLO's name, objective and labels, an
// events SLI (the rate of bad and of all requests, with {{.window}}), and
// the alert's name and the labels of its page and ticket alerts. The
// period and its tiers are an AlertWindows file, sloth's own format for
// periods other than its 28 and 30 days, given to the generator as its
// windows catalogue (WindowsFS) with the period as its default.
//
// It lives in a module of its own: sloth requires Prometheus v0.310 and
// prometheus/common v0.67, which would raise the versions the root module
// pins (README, "Module layout").
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

// Request is the SLOs to generate rules for.
type Request struct {
	SLOs []SLO `json:"slos"`
}

// SLO is one SLO and the tiers of its period.
type SLO struct {
	Service    string            `json:"service"`
	Name       string            `json:"name"`
	Objective  float64           `json:"objective"`
	Period     string            `json:"period"`
	Labels     map[string]string `json:"labels"`
	ErrorQuery string            `json:"error_query"`
	TotalQuery string            `json:"total_query"`
	AlertName  string            `json:"alert_name"`
	// Tiers are "page" and "ticket": each its quick and slow window pair,
	// and the labels of its alert.
	Tiers map[string]Tier `json:"tiers"`
}

// Tier is one tier's window pairs (quick first) and alert labels.
type Tier struct {
	Windows []Window          `json:"windows"`
	Labels  map[string]string `json:"labels"`
}

// Window is one pair of windows and the budget share it spends.
type Window struct {
	Long          string  `json:"long"`
	Short         string  `json:"short"`
	BudgetPercent float64 `json:"budget_percent"`
}

// Group is a rule group as sloth generates it.
type Group struct {
	Name  string `json:"name"`
	Rules []Rule `json:"rules"`
}

// Rule is one rule of a group.
type Rule struct {
	Record      string            `json:"record,omitempty"`
	Alert       string            `json:"alert,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "slothoracle:", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	var req Request
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("read request: %w", err)
	}
	res := map[string][]Group{}
	for _, s := range req.SLOs {
		groups, err := generate(s)
		if err != nil {
			return fmt.Errorf("%s/%s: %w", s.Service, s.Name, err)
		}
		res[s.Service+"/"+s.Name] = groups
	}
	enc := json.NewEncoder(out)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
