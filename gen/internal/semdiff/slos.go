package semdiff

import (
	"fmt"
	"strings"
	"time"

	pmodel "github.com/prometheus/common/model"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render"
)

// slo is what a reviewer weighs of one SLO of one environment: what the
// operator set, and the budget it gives, as time per period (the whole
// API failing for that long spends it).
type slo struct {
	objective, period, threshold, budget string
}

// slosOf lists every SLO of s by "<env> <slo>".
func slosOf(s *model.Stack) map[string]slo {
	out := map[string]slo{}
	for env, byName := range s.SLOs {
		for name, v := range byName {
			x := slo{objective: render.FormatNumber(v.Objective), period: v.Period, budget: budgetTime(v.BudgetSeconds)}
			if v.Threshold != 0 {
				x.threshold = render.FormatNumber(v.Threshold) + "s"
			}
			out[env+" "+name] = x
		}
	}
	return out
}

// budgetTime writes seconds as Prometheus writes a duration (43m12s).
func budgetTime(seconds float64) string {
	return pmodel.Duration(time.Duration(seconds * float64(time.Second)).Round(time.Millisecond)).String()
}

func (x slo) describe() string {
	parts := []string{"objective " + x.objective + "% over " + x.period}
	if x.threshold != "" {
		parts = append(parts, "faster than "+x.threshold)
	}
	return strings.Join(append(parts, "budget "+x.budget+" per "+x.period), ", ")
}

// compareSLOs: SLOs added or removed; per SLO, its objective, period and
// latency threshold, and the budget they give ("43m12s → 21m36s per 30d").
func compareSLOs(before, after Side) ([]Change, error) {
	return byKey(SLOs, slosOf(before.Stack), slosOf(after.Stack), same, slo.describe, func(b, a slo) []field {
		fs := fieldsOf(
			field{"objective", b.objective, a.objective},
			field{"period", b.period, a.period},
			field{"threshold", b.threshold, a.threshold},
		)
		switch {
		case b.budget == a.budget && b.period == a.period:
		case b.period == a.period:
			fs = append(fs, field{"budget", b.budget, a.budget + " per " + a.period})
		default:
			fs = append(fs, field{"budget", b.budget + " per " + b.period, a.budget + " per " + a.period})
		}
		return fs
	}), nil
}

// sloThreshold is what an SLO alert fires on, pair by pair: the error
// ratio (factor × the budget) over both windows.
func sloThreshold(v model.SLO, t model.SLOTier) string {
	var pairs []string
	for _, w := range t.Windows {
		pairs = append(pairs, fmt.Sprintf("%s%% over %s and %s", render.FormatFactor(100*w.Factor*v.BudgetRatio), w.Long, w.Short))
	}
	return strings.Join(pairs, ", ")
}
