package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/lms/lms-ops/e2e/fake"
)

// api serves the fake LMS API on :$PORT (8000) with the metrics of the
// catalog read from $CATALOG (JSON) whose source is $SOURCE, and its fault
// switch on :$CONTROL_PORT (8099): PUT /fault with the fault's name.
func api() error {
	data, err := os.ReadFile(env("CATALOG", "/etc/standin/catalog.json"))
	if err != nil {
		return err
	}
	var catalog map[string]fake.Metric
	if err := json.Unmarshal(data, &catalog); err != nil {
		return fmt.Errorf("catalog: %w", err)
	}
	ln, err := net.Listen("tcp", ":"+env("PORT", "8000"))
	if err != nil {
		return err
	}
	a, err := fake.StartFakeAPI(ln, catalog, os.Getenv("SOURCE"))
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("PUT /fault", func(w http.ResponseWriter, r *http.Request) {
		var f [64]byte
		n, _ := r.Body.Read(f[:])
		a.SetFault(fake.Fault(f[:n]))
	})
	fmt.Println("standin api: serving the LMS API on", ln.Addr())
	return http.ListenAndServe(":"+env("CONTROL_PORT", "8099"), mux)
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
