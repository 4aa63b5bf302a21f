package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// grafana keeps Grafana's container contract: the image's /run.sh has
// already turned each GF_X__FILE into GF_X (an unreadable file gives an
// empty GF_X, which Grafana ignores: admin/admin). At start it reads what
// Grafana reads, with Grafana's path variables: every provisioning file of
// datasources/ and dashboards/, and every dashboard JSON under each file
// provider's path. A missing or unreadable file stops it, loudly. It then
// records the start in its data folder (the named volume) and serves
// /api/health, /metrics and /api/standin (what it read, for the test).
func grafana() error {
	state, err := readProvisioning(env("GF_PATHS_PROVISIONING", "/etc/grafana/provisioning"), env("GF_PATHS_DATA", "/var/lib/grafana"))
	if err != nil {
		return err
	}
	// Grafana ignores an empty override and keeps its default password.
	state["admin_password_default"] = os.Getenv("GF_SECURITY_ADMIN_PASSWORD") == ""
	fmt.Printf("grafana stand-in: %v\n", state)
	mux := http.NewServeMux()
	mux.HandleFunc("/api/health", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, `{"database":"ok","version":"stand-in"}`)
	})
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "# TYPE grafana_standin_up gauge\ngrafana_standin_up 1")
	})
	mux.HandleFunc("/api/standin", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(state)
	})
	return http.ListenAndServe(":"+env("GF_SERVER_HTTP_PORT", "3000"), mux)
}

// readProvisioning reads what Grafana reads at start under prov, and
// records the start under data.
func readProvisioning(prov, data string) (map[string]any, error) {
	ds, err := provisioned(filepath.Join(prov, "datasources"), "datasources")
	if err != nil {
		return nil, err
	}
	providers, err := provisioned(filepath.Join(prov, "dashboards"), "providers")
	if err != nil {
		return nil, err
	}
	var dashboards []string
	for _, p := range providers {
		opts, _ := p["options"].(map[string]any)
		dir, _ := opts["path"].(string)
		uids, err := dashboardUIDs(dir)
		if err != nil {
			return nil, fmt.Errorf("dashboard provider %v: %w", p["name"], err)
		}
		dashboards = append(dashboards, uids...)
	}
	starts, err := recordStart(data)
	if err != nil {
		return nil, err
	}
	return map[string]any{"datasources": len(ds), "dashboards": dashboards, "starts": starts}, nil
}

// provisioned reads every YAML file of dir and returns the entries of key.
func provisioned(dir, key string) ([]map[string]any, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.y*ml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no provisioning file in %s", dir)
	}
	var all []map[string]any
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc map[string]any
		if err := yaml.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		entries, _ := doc[key].([]any)
		for _, e := range entries {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: %s: an entry is not a mapping", f, key)
			}
			all = append(all, m)
		}
	}
	return all, nil
}

// dashboardUIDs reads every dashboard JSON under dir, as Grafana's file
// provider walks it, and returns their uids.
func dashboardUIDs(dir string) ([]string, error) {
	var uids []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		var dash struct {
			UID string `json:"uid"`
		}
		if err := json.Unmarshal(b, &dash); err != nil || dash.UID == "" {
			return fmt.Errorf("%s: not a dashboard with a uid: %v", p, err)
		}
		uids = append(uids, dash.UID)
		return nil
	})
	if err == nil && len(uids) == 0 {
		err = fmt.Errorf("no dashboard under %s", dir)
	}
	return uids, err
}

// recordStart counts the starts in the data folder, as Grafana's database
// would keep what it wrote: the test reads the count across down and up.
func recordStart(dir string) (int, error) {
	f := filepath.Join(dir, "standin-starts")
	b, err := os.ReadFile(f)
	if err != nil && !os.IsNotExist(err) {
		return 0, err
	}
	n, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	n++
	return n, os.WriteFile(f, []byte(strconv.Itoa(n)), 0o640)
}
