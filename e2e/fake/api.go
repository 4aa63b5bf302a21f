// Package fake holds the test's stand-ins for what lies outside the stack:
// the LMS API (every catalog metric, switchable faults) and the sinks
// Alertmanager notifies (Slack, webhook, PagerDuty, SMTP). e2e runs them
// in-process on loopback; the engine phase runs them in containers, so
// this package stays small: it imports no part of gen.
package fake

import (
	"context"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Fault is what the fake API is doing wrong.
type Fault string

// The faults, one per seed alert.
const (
	Healthy   Fault = "healthy"
	Down      Fault = "down"       // the metrics endpoint answers 503: up == 0
	Errors    Fault = "errors"     // half of the requests answer 500
	Slow      Fault = "slow"       // requests take 2 s
	RateLimit Fault = "rate-limit" // 100 req/s answer 429
)

// traffic of the simulated API, per second.
const (
	okRate      = 20.0
	limitedRate = 100.0
	fastLatency = 0.05
	slowLatency = 2.0
	tick        = 100 * time.Millisecond
)

// Metric is one entry of the metric catalog, as gen's model encodes it.
type Metric struct {
	Name    string    `json:"name"`
	Source  string    `json:"source"`
	Type    string    `json:"type"`
	Help    string    `json:"help"`
	Unit    string    `json:"unit"`
	Labels  []string  `json:"labels"`
	Buckets []float64 `json:"buckets,omitempty"`
}

// FakeAPI is an LMS backend that exports every metric of the catalog with
// the Prometheus client library, simulates steady traffic, and serves a
// page for Caddy to proxy.
type FakeAPI struct {
	Addr string
	srv  *http.Server
	reg  *prometheus.Registry

	mu    sync.Mutex
	fault Fault

	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	cancel   context.CancelFunc
}

// StartFakeAPI listens on ln and starts the traffic simulation; it exports
// the catalog's metrics whose source is source.
func StartFakeAPI(ln net.Listener, catalog map[string]Metric, source string) (*FakeAPI, error) {
	a := &FakeAPI{Addr: ln.Addr().String(), reg: prometheus.NewRegistry(), fault: Healthy}
	// The process metrics of the catalog are the client library's own.
	a.reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	for name, m := range catalog {
		if strings.HasPrefix(name, "process_") || m.Source != source {
			continue
		}
		if err := a.register(m); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/metrics", a.metrics)
	mux.HandleFunc("/", page)
	a.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	go a.srv.Serve(ln)
	go a.simulate(ctx)
	return a, nil
}

// register creates one catalog metric, with one series of sample label values.
func (a *FakeAPI) register(m Metric) error {
	values := make([]string, len(m.Labels))
	for i, l := range m.Labels {
		values[i] = sampleLabel(l)
	}
	var c prometheus.Collector
	switch m.Type {
	case "counter":
		v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: m.Name, Help: m.Help}, m.Labels)
		if m.Name == "http_requests_total" {
			a.requests = v
		}
		v.WithLabelValues(values...).Add(1)
		c = v
	case "gauge":
		v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: m.Name, Help: m.Help}, m.Labels)
		v.WithLabelValues(values...).Set(1)
		c = v
	case "histogram":
		v := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: m.Name, Help: m.Help, Buckets: m.Buckets}, m.Labels)
		if m.Name == "http_request_duration_seconds" {
			a.latency = v
		}
		v.WithLabelValues(values...).Observe(0.01)
		c = v
	default:
		v := prometheus.NewSummaryVec(prometheus.SummaryOpts{Name: m.Name, Help: m.Help}, m.Labels)
		v.WithLabelValues(values...).Observe(0.01)
		c = v
	}
	return a.reg.Register(c)
}

// sampleLabel is a plausible value of a catalog label.
func sampleLabel(name string) string {
	switch name {
	case "method":
		return "GET"
	case "route":
		return "/api/courses"
	case "status":
		return "200"
	}
	return "sample"
}

// SetFault switches what the API does wrong.
func (a *FakeAPI) SetFault(f Fault) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fault = f
}

func (a *FakeAPI) current() Fault {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.fault
}

func (a *FakeAPI) metrics(w http.ResponseWriter, r *http.Request) {
	if a.current() == Down {
		http.Error(w, "down on purpose", http.StatusServiceUnavailable)
		return
	}
	promhttp.HandlerFor(a.reg, promhttp.HandlerOpts{}).ServeHTTP(w, r)
}

// simulate counts requests every tick, as the fault says.
func (a *FakeAPI) simulate(ctx context.Context) {
	t := time.NewTicker(tick)
	defer t.Stop()
	sec := tick.Seconds()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		f := a.current()
		ok, latency := okRate, fastLatency
		switch f {
		case Errors:
			a.requests.WithLabelValues("POST", "/api/submissions", "500").Add(okRate * sec)
		case RateLimit:
			a.requests.WithLabelValues("POST", "/api/login", "429").Add(limitedRate * sec)
		case Slow:
			latency = slowLatency
		}
		a.requests.WithLabelValues("GET", "/api/courses", "200").Add(ok * sec)
		for i := 0; i < int(ok*sec); i++ {
			a.latency.WithLabelValues("GET", "/api/courses").Observe(latency)
		}
	}
}

// Mark signs every page of the fake API.
const Mark = "lms-fake-api: course catalogue page. "

// PageBody is what the API serves: large enough for Caddy to compress.
var PageBody = strings.Repeat(Mark, 200)

func page(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte(PageBody))
}

// Close stops the API.
func (a *FakeAPI) Close() {
	a.cancel()
	a.srv.Close()
}
