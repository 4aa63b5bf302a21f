package gen

import (
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen/internal/testfix"
)

// TestSecondPagingEnvironment: a second production environment, named
// with a dash (no CUE identifier) and with thresholds below prod's, is
// accepted, its threshold drawn on the dashboards in ascending order; a
// value of it the schema refuses is reported at its own line.
func TestSecondPagingEnvironment(t *testing.T) {
	t.Parallel()
	root := testfix.Copy(t)
	if err := CopyEnvironment(root, "prod", "prod-eu", 8010); err != nil {
		t.Fatal(err)
	}
	edit(t, root, "envs/prod-eu/alerts.cue", "LMSHighErrorRate: {threshold: 0.05,", "LMSHighErrorRate: {threshold: 0.02,")
	edit(t, root, "envs/alertmanager.cue", `environments: ["production"]`, `environments: ["production", "prod-eu"]`)
	res, err := Generate(root)
	if err != nil {
		t.Fatalf("gen refuses a second paging environment:\n%v", err)
	}
	var dash string
	for _, f := range res.Files {
		if strings.HasSuffix(f.Path, "lms-api-overview.json") {
			dash = string(f.Data)
		}
	}
	if i, j := strings.Index(dash, `"value": 0.02`), strings.Index(dash, `"value": 0.05`); i < 0 || j < 0 || i > j {
		t.Errorf("the dashboard does not draw 0.02 then 0.05 as threshold steps (at %d and %d)", i, j)
	}

	edit(t, root, "envs/prod-eu/alerts.cue", `window: "5m", for: "10m"}`+"\n\tLMSHighP95Latency", `window: "10s", for: "10m"}`+"\n\tLMSHighP95Latency")
	_, err = Generate(root)
	if err == nil || !strings.Contains(err.Error(), "envs/prod-eu/alerts.cue:") || !strings.Contains(err.Error(), "window 10s holds fewer than two scrapes") {
		t.Errorf("a window too short in prod-eu: want the error at envs/prod-eu/alerts.cue, got:\n%v", err)
	}
}
