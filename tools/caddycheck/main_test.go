package main

import (
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
		})
	}
}
