package model

// SLOValues are one SLO as the operator writes it (schema.#SLOValues).
type SLOValues struct {
	Objective float64           `json:"objective"`
	Period    string            `json:"period"`
	Threshold float64           `json:"threshold,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

// SLOPolicy is how every SLO alerts (schema.#SLOPolicy).
type SLOPolicy struct {
	Tiers map[string]struct {
		Severity string `json:"severity"`
		For      string `json:"for"`
		Windows  []struct {
			Long          string  `json:"long"`
			Short         string  `json:"short"`
			BudgetPercent float64 `json:"budget_percent"`
		} `json:"windows"`
	} `json:"tiers"`
}

// SLO is one SLO of one environment as derive/slo.cue derives it
// (schema.#SLODerived): gen reads it, it computes none of it.
type SLO struct {
	Objective float64 `json:"objective"`
	Period    string  `json:"period"`
	Threshold float64 `json:"threshold,omitempty"`
	// BudgetRatio is 1 − objective/100; BudgetSeconds the budget as time.
	BudgetRatio   float64 `json:"budget_ratio"`
	BudgetSeconds float64 `json:"budget_seconds"`
	Group         string  `json:"group"`
	BudgetGroup   string  `json:"budget_group"`
	Dashboard     string  `json:"dashboard"`
	SLI           struct {
		ErrorQuery string `json:"error_query"`
		TotalQuery string `json:"total_query"`
	} `json:"sli"`
	Sloth struct {
		ID      string `json:"id"`
		Service string `json:"service"`
		SLO     string `json:"slo"`
	} `json:"sloth"`
	Tiers []SLOTier `json:"tiers"`
}

// SLOTier is one tier's alert of an SLO.
type SLOTier struct {
	Tier     string      `json:"tier"`
	Alert    string      `json:"alert"`
	Severity string      `json:"severity"`
	For      string      `json:"for"`
	Windows  []SLOWindow `json:"windows"`
}

// SLOWindow is one window pair of a tier, with its burn factor.
type SLOWindow struct {
	Long          string  `json:"long"`
	Short         string  `json:"short"`
	BudgetPercent float64 `json:"budget_percent"`
	Factor        float64 `json:"factor"`
}

// SLOAlert finds the SLO tier that raises alert in env.
func (s *Stack) SLOAlert(env, alert string) (SLO, SLOTier, bool) {
	for _, slo := range s.SLOs[env] {
		for _, t := range slo.Tiers {
			if t.Alert == alert {
				return slo, t, true
			}
		}
	}
	return SLO{}, SLOTier{}, false
}
