package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strconv"

	"github.com/lms/lms-ops/e2e/fake"
)

// sink records notifications on :$PORT (8080, HTTP) and :$SMTP_PORT (2525),
// and answers GET /got (every notification, JSON) and PUT /fail-slack?status=N
// on :$CONTROL_PORT (8099).
func sink() error {
	hl, err := net.Listen("tcp", ":"+env("PORT", "8080"))
	if err != nil {
		return err
	}
	sl, err := net.Listen("tcp", ":"+env("SMTP_PORT", "2525"))
	if err != nil {
		return err
	}
	s := fake.StartSinks(hl, sl)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /got", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(s.Got())
	})
	mux.HandleFunc("PUT /fail-slack", func(w http.ResponseWriter, r *http.Request) {
		status, _ := strconv.Atoi(r.URL.Query().Get("status"))
		s.FailSlack(status)
	})
	fmt.Println("standin sink: HTTP on", hl.Addr(), "SMTP on", sl.Addr())
	return http.ListenAndServe(":"+env("CONTROL_PORT", "8099"), mux)
}
