package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGrafanaStandinReadsWhatGrafanaReads: the stand-in starts on a good
// provisioning tree and fails loudly, naming the file, when a dashboard or
// a provisioning file is missing or unreadable.
func TestGrafanaStandinReadsWhatGrafanaReads(t *testing.T) {
	setup := func(t *testing.T) (prov, dashboards, data string) {
		dir := t.TempDir()
		prov, dashboards, data = filepath.Join(dir, "prov"), filepath.Join(dir, "dash"), filepath.Join(dir, "data")
		write(t, filepath.Join(prov, "datasources", "prometheus.yml"), "apiVersion: 1\ndatasources:\n  - name: Prometheus\n")
		write(t, filepath.Join(prov, "dashboards", "dashboards.yml"), "apiVersion: 1\nproviders:\n  - name: LMS\n    options:\n      path: "+dashboards+"\n")
		write(t, filepath.Join(dashboards, "a.json"), `{"uid": "a"}`)
		os.MkdirAll(data, 0o755)
		return
	}
	t.Run("good", func(t *testing.T) {
		prov, _, data := setup(t)
		for start := 1; start <= 2; start++ {
			st, err := readProvisioning(prov, data)
			if err != nil {
				t.Fatal(err)
			}
			if st["starts"] != start || len(st["dashboards"].([]string)) != 1 {
				t.Errorf("start %d: %v", start, st)
			}
		}
	})
	for _, c := range []struct {
		name   string
		break_ func(prov, dash string)
		want   string
	}{
		{"no dashboard", func(_, dash string) { os.Remove(filepath.Join(dash, "a.json")) }, "no dashboard under"},
		{"dashboard without uid", func(_, dash string) { os.WriteFile(filepath.Join(dash, "a.json"), []byte(`{}`), 0o644) }, "not a dashboard with a uid"},
		{"no datasource file", func(prov, _ string) { os.RemoveAll(filepath.Join(prov, "datasources")) }, "no provisioning file in"},
		{"provider path missing", func(_, dash string) { os.RemoveAll(dash) }, "no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			prov, dash, data := setup(t)
			c.break_(prov, dash)
			if _, err := readProvisioning(prov, data); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("got %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func write(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}
