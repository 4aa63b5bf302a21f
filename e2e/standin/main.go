// Command standin runs the stand-ins of the engine phase of e2e, inside
// containers of the test's own compose project:
//
//	standin api      the LMS API: every catalog metric, switchable faults
//	standin sink     where Alertmanager's notifications go (Slack, webhook,
//	                 PagerDuty, SMTP), and what it got, as JSON
//	standin grafana  Grafana's container contract without Grafana (its code
//	                 is AGPL): it reads what Grafana reads at start and fails
//	                 loudly when any of it is missing or unreadable
//
// Each listens on the ports the compose file gives it; nothing here reaches
// outside its own project.
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: standin api|sink|grafana")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "api":
		err = api()
	case "sink":
		err = sink()
	case "grafana":
		err = grafana()
	default:
		err = fmt.Errorf("unknown stand-in %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "standin:", err)
		os.Exit(1)
	}
}
