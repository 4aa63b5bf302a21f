package e2e

import (
	"net"

	"github.com/lms/lms-ops/e2e/fake"
	"github.com/lms/lms-ops/gen"
)

// The stand-ins live in package fake, which the engine phase's containers
// run too; these names keep e2e's own code as it reads.
type (
	// Fault is what the fake API is doing wrong.
	Fault = fake.Fault
	// FakeAPI is the LMS backend stand-in.
	FakeAPI = fake.FakeAPI
	// Sinks record what Alertmanager sends.
	Sinks = fake.Sinks
	// Notification is one delivered message.
	Notification = fake.Notification
)

// The faults, one per seed alert.
const (
	Healthy   = fake.Healthy
	Down      = fake.Down
	Errors    = fake.Errors
	Slow      = fake.Slow
	RateLimit = fake.RateLimit
)

// StartSinks serves the HTTP sinks on httpLn and the SMTP sink on smtpLn.
var StartSinks = fake.StartSinks

// StartFakeAPI serves the LMS API's catalog metrics on ln.
func StartFakeAPI(ln net.Listener, catalog map[string]gen.Metric) (*FakeAPI, error) {
	return fake.StartFakeAPI(ln, Catalog(catalog), gen.APISource)
}

// Catalog is the metric catalog as package fake reads it.
func Catalog(catalog map[string]gen.Metric) map[string]fake.Metric {
	out := make(map[string]fake.Metric, len(catalog))
	for k, m := range catalog {
		out[k] = fake.Metric(m)
	}
	return out
}
