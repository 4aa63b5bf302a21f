package gen

// sloBadEdits are mistakes in the SLOs (envs/<env>/slos.cue, and the
// tiers of envs/slo_settings.cue): each is refused at the operator's line,
// with the reason, and writes nothing. They run in TestBadEdits (go test
// ./gen -run 'TestBadEdits/slo').
var sloBadEdits = []badEdit{
	{"slo: objective of 100", "envs/prod/slos.cue", `objective: 99.9,`, `objective: 100,`,
		[]string{"envs/prod/slos.cue:7:17: env prod: slos.availability.objective: an objective of 100% leaves no error budget: a single failed request would spend more than all of it"}},
	{"slo: objective written as a share", "envs/prod/slos.cue", `objective: 99.9,`, `objective: 0.999,`,
		[]string{"envs/prod/slos.cue:7:17: env prod: slos.availability.objective: objective 0.999 is a percentage: it means 0.999% of requests must be good, an error budget of 99.001%; to ask for 99.9% of requests, write 99.9"}},
	{"slo: latency threshold between buckets", "envs/prod/slos.cue", `threshold: 0.5,`, `threshold: 0.3,`,
		[]string{`envs/prod/slos.cue:9:38: env prod: slos.latency.threshold: threshold 0.3s is not a bucket boundary of http_request_duration_seconds (metrics catalog: 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10): the SLI reads the bucket le="0.3", which no series has, so every request would count as slow; the nearest buckets are 0.25 and 0.5`}},
	{"slo: period longer than retention", "envs/prod/slos.cue", `objective: 99.9, period: "30d"`, `objective: 99.9, period: "60d"`,
		[]string{"envs/prod/slos.cue:7:42: env prod: slos.availability.period: period 60d is longer than Prometheus keeps samples (settings.prometheus.retention.time 30d)"}},
	{"slo: period shorter than the longest window", "envs/staging/slos.cue", `availability: {objective: 99, period: "30d"}`, `availability: {objective: 99, period: "2d"}`,
		[]string{"envs/staging/slos.cue:6:40: env staging: slos.availability.period: period 2d is shorter than the longest alert window of settings.slo.tiers (72h)"}},
	{"slo: objective too low for its page to fire", "envs/staging/slos.cue", `availability: {objective: 99,`, `availability: {objective: 90,`,
		[]string{"envs/staging/slos.cue:6:28: env staging: slos.availability.objective: objective 90% leaves an error budget of 10% of requests: the page's burn factor 14.4 over 30d would need 144% of requests to fail, which cannot happen, so it could never fire"}},
	{"slo: period in hours", "envs/prod/slos.cue", `period: "30d"}
	// The share of requests answered within`, `period: "720h"}
	// The share of requests answered within`,
		[]string{`envs/prod/slos.cue:7:42: env prod: slos.availability.period: invalid value "720h" (out of bound =~"^[1-9][0-9]*[dw]$")`}},
	{"slo: an extra label the rules set", "envs/prod/slos.cue", `threshold: 0.5, period: "30d"}`, `threshold: 0.5, period: "30d", labels: {tier: "gold"}}`,
		[]string{"envs/prod/slos.cue:9:73: env prod: slos.latency.labels.tier: tier is a label the SLO's rules set themselves"}},
	{"slo: tickets that would page", "envs/prod/env.cue", `page_severities: ["critical"]`, `page_severities: ["critical", "warning"]`,
		[]string{"envs/prod/env.cue:17:2: env prod: notify.page_severities: this environment pages on warning, the severity of its SLO tickets (settings.slo.tiers.ticket.severity): a ticket would page"}},
	{"slo: an SLO the schema does not know", "envs/staging/slos.cue", "\tlatency:", "\tthroughput: {objective: 99, period: \"30d\"}\n\tlatency:",
		[]string{"envs/staging/slos.cue:7:2: env staging: slos.throughput: field not allowed"}},
	{"slo: a window not as Prometheus writes it", "envs/slo_settings.cue", `long: "1d"`, `long: "24h"`,
		[]string{"envs/slo_settings.cue:22:3: stack: settings.slo.tiers.ticket.windows: 24h (write 1d) is not how Prometheus writes the duration"}},
}

// The SLO mistakes join the table of bad edits.
func init() { badEdits = append(badEdits, sloBadEdits...) }
