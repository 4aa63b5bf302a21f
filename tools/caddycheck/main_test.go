package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	good := "{\n\temail ops@example.com\n}\n\nexample.com {\n\tencode zstd gzip\n\treverse_proxy api:8000\n}\n"
	cases := []struct {
		name, in  string
		wantError string
		formatted bool
	}{
		{"valid and formatted", good, "", true},
		{"unknown directive", strings.Replace(good, "encode zstd gzip", "compress brotli", 1), "unrecognized directive: compress", true},
		{"bad upstream port", strings.Replace(good, "api:8000", "api:99999", 1), "invalid start port", true},
		{"spaces instead of tabs", strings.Replace(good, "\tencode", "    encode", 1), "", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := check([]byte(tc.in))
			got := strings.Join(res.Errors, "\n")
			if tc.wantError == "" && got != "" || !strings.Contains(got, tc.wantError) {
				t.Errorf("errors = %q, want %q", got, tc.wantError)
			}
			if (res.Formatted == tc.in) != tc.formatted {
				t.Errorf("formatted = %q; input formatted: want %v", res.Formatted, tc.formatted)
			}
			if tc.wantError == "" && len(res.JSON) == 0 {
				t.Error("no adapted JSON config for a valid Caddyfile")
			}
		})
	}
}

// TestOutsideTheModuleSet: the checker links only the modules our
// Caddyfile uses (modules.go). Directives, encoders and log writers of
// Caddy's standard distribution outside that set must be reported as
// errors naming them, never accepted.
func TestOutsideTheModuleSet(t *testing.T) {
	site := func(body string) string {
		return "example.com {\n\t" + strings.ReplaceAll(body, "\n", "\n\t") + "\n\treverse_proxy api:8000\n}\n"
	}
	cases := []struct{ name, in, want string }{
		{"file_server", site("root * /srv\nfile_server"), "unrecognized directive: file_server"},
		{"php_fastcgi", site("php_fastcgi localhost:9000"), "unrecognized directive: php_fastcgi"},
		{"try_files", site("try_files {path} /index.html"), "unrecognized directive: try_files"},
		{"templates", site("templates"), "unrecognized directive: templates"},
		{"forward_auth", site("forward_auth authelia:9091 {\n\turi /api/verify\n}"), "unrecognized directive: forward_auth"},
		{"request_body", site("request_body {\n\tmax_size 10MB\n}"), "unrecognized directive: request_body"},
		{"map", site("map {host} {backend} {\n\tdefault api\n}"), "unrecognized directive: map"},
		{"brotli encoder", site("encode br gzip"), "http.encoders.br"},
		{"fastcgi transport", "example.com {\n\treverse_proxy api:9000 {\n\t\ttransport fastcgi\n\t}\n}\n", "http.reverse_proxy.transport.fastcgi"},
		{"log file writer", site("log {\n\toutput file /var/log/caddy.log\n}"), "caddy.logging.writers.file"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			res := check([]byte(tc.in))
			if len(res.Errors) == 0 {
				t.Fatalf("accepted; want an error containing %q\n%s", tc.want, tc.in)
			}
			if got := strings.Join(res.Errors, "\n"); !strings.Contains(got, tc.want) {
				t.Errorf("errors = %q, want one containing %q", got, tc.want)
			}
		})
	}
}

// TestMetricsSite: the metrics handler is linked, and a plain-HTTP site on
// a port serves it (the internal listener Prometheus scrapes).
func TestMetricsSite(t *testing.T) {
	res := check([]byte("http://:2020 {\n\tmetrics\n}\n"))
	if len(res.Errors) > 0 {
		t.Fatalf("metrics site rejected: %q", res.Errors)
	}
	if !strings.Contains(string(res.JSON), `"handler":"metrics"`) || !strings.Contains(string(res.JSON), `":2020"`) {
		t.Errorf("no metrics handler on :2020 in the adapted config:\n%s", res.JSON)
	}
}

// exampleEnv are the values gen gives the Caddyfile's placeholders
// (settings.caddy.examples in the fixture's envs/caddy.cue).
var exampleEnv = map[string]string{
	"APP_DOMAIN":        "lms.example.com",
	"LETSENCRYPT_EMAIL": "ops@lms.example.com",
}

// TestGeneratedCaddyfile: the Caddyfile generated from the test fixture
// (testdata/stack, never the live envs/, which operators change) adapts and
// validates without warnings, is formatted, and its adapted config has what
// the model asks for (automatic HTTPS with the ACME email, zstd and gzip,
// /metrics answered 404, the API proxied).
func TestGeneratedCaddyfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "stack", "ops", "caddy", "Caddyfile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`\{\$([A-Za-z0-9_]+)`).FindAllSubmatch(data, -1) {
		v, ok := exampleEnv[string(m[1])]
		if !ok {
			t.Fatalf("the Caddyfile has a placeholder {$%s} this test has no value for; add its example from the fixture's envs/caddy.cue", m[1])
		}
		t.Setenv(string(m[1]), v)
	}
	var out bytes.Buffer
	if err := run(bytes.NewReader(data), &out); err != nil {
		t.Fatal(err)
	}
	var res Result
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatalf("output is not a Result: %v\n%s", err, out.String())
	}
	if len(res.Errors) > 0 || len(res.Warnings) > 0 {
		t.Fatalf("errors %q, warnings %q", res.Errors, res.Warnings)
	}
	if res.Formatted != string(data) {
		t.Errorf("not formatted as caddy fmt formats it:\n%s", res.Formatted)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, res.JSON); err != nil {
		t.Fatalf("adapted config: %v\n%s", err, res.JSON)
	}
	cfg := compact.String()
	for _, want := range []string{
		`"email":"ops@lms.example.com"`,
		`"host":["lms.example.com"]`,
		`"handler":"encode"`, `"zstd":{}`, `"gzip":{}`,
		`"path":["/metrics","/metrics/*"]`, `"status_code":404`,
		`"handler":"reverse_proxy"`, `"dial":"api:8000"`,
	} {
		if !strings.Contains(cfg, want) {
			t.Errorf("adapted config lacks %s:\n%s", want, cfg)
		}
	}
}
