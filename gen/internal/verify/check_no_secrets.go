package verify

import (
	"bufio"
	"bytes"
	"fmt"
	"regexp"
	"sort"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// secretPatterns recognise a credential written into a generated file: a
// literal-secret key of Prometheus, Alertmanager or Grafana config (the
// *_file forms are fine), or a value shaped like a known credential.
var secretPatterns = []struct {
	what string
	re   *regexp.Regexp
}{
	{"a literal secret key", regexp.MustCompile(`^\s*-?\s*"?(api_url|slack_api_url|routing_key|service_key|auth_password|smtp_auth_password|password|basicAuthPassword|secureJsonData|api_key|bot_token|token|bearer_token|webhook_url|credentials)"?\s*:`)},
	{"a Slack webhook URL", regexp.MustCompile(`hooks\.slack\.com/services/`)},
	{"a Slack token", regexp.MustCompile(`xox[abprs]-[0-9A-Za-z-]{10,}`)},
	{"a private key", regexp.MustCompile(`-----BEGIN [A-Z ]*PRIVATE KEY-----`)},
	{"an AWS access key", regexp.MustCompile(`\bAKIA[0-9A-Z]{16}\b`)},
	// Not the digits of a decimal fraction (a rule test's 0.39473684210526315789473684210526).
	{"a 32-hex-digit key (PagerDuty integration key shape)", regexp.MustCompile(`(?:^|[^.\w])[0-9a-f]{32}\b`)},
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
		sc := bufio.NewScanner(bytes.NewReader(files[p]))
		sc.Buffer(make([]byte, 1024*1024), 1024*1024)
		for line := 1; sc.Scan(); line++ {
			for _, sp := range secretPatterns {
				if loc := sp.re.FindIndex(sc.Bytes()); loc != nil {
					ps = append(ps, model.Problem{Pos: fmt.Sprintf("%s:%d:%d", p, line, loc[0]+1), Scope: "stack: " + p,
						Msg: "looks like " + sp.what + "; secrets are read from files at run time (*_file fields, compose secrets), never written here"})
				}
			}
		}
	}
	return ps
}
