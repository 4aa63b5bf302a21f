package e2e

import (
	"io"
	"net"
	"net/http"
	"net/smtp"
	"strings"
	"testing"

	"github.com/lms/lms-ops/gen"
)

// TestFakeAPIExportsCatalog: the fake API exports every metric of the
// catalog the LMS API exports, none of the stack's own, and answers 503 on
// its metrics endpoint when down.
func TestFakeAPIExportsCatalog(t *testing.T) {
	m, err := gen.Load(root)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	api, err := StartFakeAPI(ln, m.Stack.Metrics)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	body := fetch(t, "http://"+api.Addr+"/metrics", http.StatusOK)
	for name, metric := range m.Stack.Metrics {
		exported := strings.Contains(body, "\n# TYPE "+name+" ")
		if want := metric.Source == gen.APISource; exported != want {
			t.Errorf("metric %s (source %s): exported %v, want %v", name, metric.Source, exported, want)
		}
	}
	api.SetFault(Down)
	fetch(t, "http://"+api.Addr+"/metrics", http.StatusServiceUnavailable)
}

func fetch(t *testing.T, url string, status int) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != status {
		t.Fatalf("%s: %s, want %d", url, resp.Status, status)
	}
	return "\n" + string(data)
}

// TestSinks: the sinks record Slack, PagerDuty and e-mail deliveries.
func TestSinks(t *testing.T) {
	httpLn, _ := net.Listen("tcp", "127.0.0.1:0")
	smtpLn, _ := net.Listen("tcp", "127.0.0.1:0")
	s := StartSinks(httpLn, smtpLn)
	defer s.Close()
	post := func(path, body string) {
		resp, err := http.Post("http://"+s.HTTPAddr+path, "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("/slack/slack_webhook_ops", `{"attachments":[{"title":"[FIRING] A (production)"}]}`)
	post("/pagerduty", `{"routing_key":"k","event_action":"trigger","payload":{"summary":"[production] A"}}`)
	auth := smtp.PlainAuth("", "u", "p", "127.0.0.1")
	msg := "Subject: [FIRING:1] A\r\n\r\nbody\r\n"
	if err := smtp.SendMail(s.SMTPAddr, auth, "am@example.com", []string{"sec@example.com"}, []byte(msg)); err != nil {
		t.Fatal(err)
	}
	var sinks []string
	for _, n := range s.Got() {
		if !n.Firing {
			t.Errorf("%s: not firing: %q", n.Sink, n.Text)
		}
		sinks = append(sinks, n.Sink)
	}
	if got := strings.Join(sinks, " "); got != "slack/slack_webhook_ops pagerduty/k email/sec@example.com" {
		t.Errorf("sinks = %s", got)
	}
}
