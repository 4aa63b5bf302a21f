package verify

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// secretPatterns recognise a credential written into a generated file: a
// literal-secret key of Prometheus, Alertmanager or Grafana config (the
// *_file forms are fine), or a value shaped like a known credential. Go's
// regexp engine tries a pattern at every byte of every line; each may is
// a cheap test every match passes (a literal it contains, a run of hex
// digits, the line's first word), so that the regexp runs on the few lines
// that pass it: the regexps alone were half of a 2-environment gen's checks.
var secretPatterns = []struct {
	what string
	re   *regexp.Regexp
	may  func(line []byte) bool
}{
	{"a literal secret key", regexp.MustCompile(`^\s*-?\s*"?(` + strings.Join(secretKeys, "|") + `)"?\s*:`), startsWithSecretKey},
	{"a Slack webhook URL", regexp.MustCompile(`hooks\.slack\.com/services/`), contains("hooks.slack.com/services/")},
	{"a Slack token", regexp.MustCompile(`xox[abprs]-[0-9A-Za-z-]{10,}`), contains("xox")},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`), contains("-----BEGIN ")},
	{"an AWS access key", regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`), contains("AKIA")},
	// Not the digits of a decimal fraction (a rule test's 0.39473684210526315789473684210526).
	{"a 32-hex-digit key (PagerDuty integration key shape)", regexp.MustCompile(`(?:^|[^.\w])[0-9a-f]{32}\b`), func(l []byte) bool { return hexRun(l, 32) }},
}

// secretKeys are the keys of the configs that hold a credential literally.
var secretKeys = []string{"api_url", "slack_api_url", "routing_key", "service_key", "auth_password", "smtp_auth_password", "password", "basicAuthPassword", "secureJsonData", "api_key", "bot_token", "token", "bearer_token", "webhook_url", "credentials"}

// startsWithSecretKey: the line, after its indentation, a list dash and a
// quote, starts with a secret key.
func startsWithSecretKey(line []byte) bool {
	rest := bytes.TrimLeft(line, " \t\r\n\v\f-\"")
	for _, k := range secretKeys {
		if bytes.HasPrefix(rest, []byte(k)) {
			return true
		}
	}
	return false
}

func contains(lit string) func([]byte) bool {
	return func(l []byte) bool { return bytes.Contains(l, []byte(lit)) }
}

// hexRun reports whether line holds n lowercase hex digits in a row.
func hexRun(line []byte, n int) bool {
	run := 0
	for _, c := range line {
		if '0' <= c && c <= '9' || 'a' <= c && c <= 'f' {
			if run++; run >= n {
				return true
			}
		} else {
			run = 0
		}
	}
	return false
}

// checkNoSecrets scans every generated file, line by line.
func checkNoSecrets(_ *model.Model, files output.Files) model.Problems {
	var ps model.Problems
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		rest := files[p]
		for line := 1; len(rest) > 0; line++ {
			text, after, _ := bytes.Cut(rest, []byte("\n"))
			rest = after
			for _, sp := range secretPatterns {
				if !sp.may(text) {
					continue
				}
				if loc := sp.re.FindIndex(text); loc != nil {
					ps = append(ps, model.Problem{Pos: fmt.Sprintf("%s:%d:%d", p, line, loc[0]+1), Scope: "stack: " + p,
						Msg: "looks like " + sp.what + "; secrets are read from files at run time (*_file fields, compose secrets), never written here"})
				}
			}
		}
	}
	return ps
}
