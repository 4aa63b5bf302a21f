package fake

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Notification is one message a receiver's integration delivered to a sink.
type Notification struct {
	// Sink is "slack/<secret>", "pagerduty/<routing key>" or "email/<to>".
	Sink string
	// Firing is false for resolved notifications.
	Firing bool
	// Text is what identifies the alert: the Slack title, the PagerDuty
	// summary, the e-mail subject.
	Text string
	// Body is the whole message as delivered (the Slack payload).
	Body string
	At   time.Time
}

// Sinks records what Alertmanager sends: a Slack-shaped webhook, a
// PagerDuty-Events-v2-shaped endpoint and an SMTP server.
type Sinks struct {
	HTTPAddr, SMTPAddr string

	mu  sync.Mutex
	got []Notification
	// slackStatus, when not 0, is what the Slack sink answers instead of
	// taking the message (a Slack outage).
	slackStatus int
	httpS       *http.Server
	smtpL       net.Listener
}

// StartSinks serves the HTTP sinks on httpLn and the SMTP sink on smtpLn.
func StartSinks(httpLn, smtpLn net.Listener) *Sinks {
	s := &Sinks{HTTPAddr: httpLn.Addr().String(), SMTPAddr: smtpLn.Addr().String(), smtpL: smtpLn}
	mux := http.NewServeMux()
	mux.HandleFunc("/slack/", s.slack)
	mux.HandleFunc("/webhook/", s.webhook)
	mux.HandleFunc("/pagerduty", s.pagerduty)
	s.httpS = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go s.httpS.Serve(httpLn)
	go s.serveSMTP()
	return s
}

func (s *Sinks) record(n Notification) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n.At = time.Now()
	s.got = append(s.got, n)
}

// Got returns every notification so far.
func (s *Sinks) Got() []Notification {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Notification(nil), s.got...)
}

// FailSlack makes the Slack sink answer status (0: work again).
func (s *Sinks) FailSlack(status int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.slackStatus = status
}

func (s *Sinks) slack(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	status := s.slackStatus
	s.mu.Unlock()
	if status != 0 {
		http.Error(w, "slack is down", status)
		return
	}
	var msg struct {
		Attachments []struct {
			Title string `json:"title"`
		} `json:"attachments"`
	}
	body, err := io.ReadAll(r.Body)
	if err == nil {
		err = json.Unmarshal(body, &msg)
	}
	if err != nil || len(msg.Attachments) == 0 {
		http.Error(w, "not a Slack message", http.StatusBadRequest)
		return
	}
	title := msg.Attachments[0].Title
	s.record(Notification{Sink: "slack/" + strings.TrimPrefix(r.URL.Path, "/slack/"), Firing: strings.Contains(title, "FIRING"), Text: title, Body: string(body)})
	io.WriteString(w, "ok")
}

// webhook records Alertmanager's webhook payload: the alert names.
func (s *Sinks) webhook(w http.ResponseWriter, r *http.Request) {
	var msg struct {
		Status string `json:"status"`
		Alerts []struct {
			Labels map[string]string `json:"labels"`
		} `json:"alerts"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || len(msg.Alerts) == 0 {
		http.Error(w, "not an Alertmanager webhook", http.StatusBadRequest)
		return
	}
	var names []string
	for _, a := range msg.Alerts {
		names = append(names, a.Labels["alertname"])
	}
	s.record(Notification{Sink: "webhook/" + strings.TrimPrefix(r.URL.Path, "/webhook/"), Firing: msg.Status == "firing", Text: strings.Join(names, ",")})
	io.WriteString(w, "ok")
}

func (s *Sinks) pagerduty(w http.ResponseWriter, r *http.Request) {
	var ev struct {
		RoutingKey  string `json:"routing_key"`
		EventAction string `json:"event_action"`
		Payload     struct {
			Summary string `json:"summary"`
		} `json:"payload"`
	}
	if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev.RoutingKey == "" {
		http.Error(w, "not a PagerDuty event", http.StatusBadRequest)
		return
	}
	s.record(Notification{Sink: "pagerduty/" + ev.RoutingKey, Firing: ev.EventAction == "trigger", Text: ev.Payload.Summary})
	w.WriteHeader(http.StatusAccepted)
	io.WriteString(w, `{"status":"success","message":"Event processed"}`)
}

// serveSMTP accepts mail: just enough ESMTP (EHLO, AUTH PLAIN, MAIL, RCPT,
// DATA) for Alertmanager's e-mail notifier.
func (s *Sinks) serveSMTP() {
	for {
		c, err := s.smtpL.Accept()
		if err != nil {
			return
		}
		go s.smtpSession(c)
	}
}

func (s *Sinks) smtpSession(c net.Conn) {
	defer c.Close()
	c.SetDeadline(time.Now().Add(30 * time.Second))
	tp := textproto.NewConn(c)
	tp.PrintfLine("220 lms-ops-e2e ESMTP")
	var to []string
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		verb := strings.ToUpper(strings.Fields(line + " x")[0])
		switch verb {
		case "EHLO", "HELO":
			tp.PrintfLine("250-lms-ops-e2e\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME")
		case "AUTH":
			tp.PrintfLine("235 2.7.0 Authentication successful")
		case "MAIL", "RSET", "NOOP":
			tp.PrintfLine("250 OK")
		case "RCPT":
			to = append(to, strings.Trim(line[strings.Index(line, ":")+1:], " <>"))
			tp.PrintfLine("250 OK")
		case "DATA":
			tp.PrintfLine("354 go ahead")
			subject := readSubject(tp.DotReader())
			for _, rcpt := range to {
				s.record(Notification{Sink: "email/" + strings.ToLower(rcpt), Firing: strings.Contains(subject, "FIRING"), Text: subject})
			}
			tp.PrintfLine("250 OK")
		case "QUIT":
			tp.PrintfLine("221 bye")
			return
		default:
			tp.PrintfLine("502 not implemented")
		}
	}
}

// readSubject reads a message and returns its Subject header.
func readSubject(r io.Reader) string {
	br := bufio.NewReader(r)
	hdr, _ := textproto.NewReader(br).ReadMIMEHeader()
	io.Copy(io.Discard, br)
	return hdr.Get("Subject")
}

// Close stops the sinks.
func (s *Sinks) Close() {
	s.httpS.Close()
	s.smtpL.Close()
}

// String lists the notifications, for failure messages.
func (s *Sinks) String() string {
	var b strings.Builder
	for _, n := range s.Got() {
		fmt.Fprintf(&b, "  %s %s firing=%v %q\n", n.At.Format("15:04:05"), n.Sink, n.Firing, n.Text)
	}
	return b.String()
}
