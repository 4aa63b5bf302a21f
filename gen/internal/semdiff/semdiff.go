// Package semdiff says what a change of the model means: it compares two
// renderings of the stack (each a decoded model and its generated files)
// and lists, section by section, what a reviewer needs to know: alert
// values per environment, who each alert notifies (routed with
// Alertmanager's own code, as the route tests do), inhibitions, scraping,
// dashboards and compose services. The file diff says how; this says what.
package semdiff

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/output"
)

// Side is one rendering of the stack.
type Side struct {
	Stack *model.Stack
	Files output.Files
}

// Sections, in report order.
const (
	Alerts        = "alerts"
	SLOs          = "slos"
	Notifications = "notifications"
	Inhibitions   = "inhibitions"
	Scrape        = "scrape"
	Dashboards    = "dashboards"
	Compose       = "compose"
)

var sections = []string{SLOs, Alerts, Notifications, Inhibitions, Scrape, Dashboards, Compose}

// Change is one difference a reviewer reads.
type Change struct {
	Section string
	// Subject is what changed: "prod LMSHighP95Latency", a scrape job, a
	// dashboard panel, a compose service.
	Subject string
	// Field is the property that changed, or Added or Removed for the
	// whole subject.
	Field string
	// Before and After are the values; None where there is none.
	Before, After string
}

// Field values for a whole subject added or removed, and for no value.
const (
	Added   = "added"
	Removed = "removed"
	None    = "—"
)

// Summary is every change, in section order, then subject order.
type Summary struct {
	Changes []Change
}

// Compare lists what changes from before to after.
func Compare(before, after Side) (Summary, error) {
	var all []Change
	for _, f := range []func(Side, Side) ([]Change, error){compareSLOs, compareAlerts, compareNotifications, compareInhibitions, compareScrape, compareDashboards, compareCompose} {
		cs, err := f(before, after)
		if err != nil {
			return Summary{}, err
		}
		all = append(all, cs...)
	}
	return Summary{Changes: all}, nil
}

// In returns the changes of one section.
func (s Summary) In(section string) []Change {
	var out []Change
	for _, c := range s.Changes {
		if c.Section == section {
			out = append(out, c)
		}
	}
	return out
}

// field is one property compared on both sides.
type field struct{ name, before, after string }

// fieldsOf keeps the fields whose values differ.
func fieldsOf(fs ...field) []field {
	var out []field
	for _, f := range fs {
		if f.before != f.after {
			out = append(out, f)
		}
	}
	return out
}

// byKey compares two maps key by key, in key order: a key on one side only
// is a subject added or removed (described by describe), a key on both
// sides gives one change per field that differs.
func byKey[V any](section string, before, after map[string]V, subject func(string) string, describe func(V) string, fields func(b, a V) []field) []Change {
	var out []Change
	keys := unionKeys(before, after)
	for _, k := range keys {
		b, inB := before[k]
		a, inA := after[k]
		switch {
		case !inB:
			out = append(out, Change{section, subject(k), Added, None, describe(a)})
		case !inA:
			out = append(out, Change{section, subject(k), Removed, describe(b), None})
		default:
			for _, f := range fields(b, a) {
				out = append(out, Change{section, subject(k), f.name, orNone(f.before), orNone(f.after)})
			}
		}
	}
	return out
}

// unionKeys are the keys of either map, sorted.
func unionKeys[V any](before, after map[string]V) []string {
	keys := slices.Sorted(maps.Keys(before))
	for k := range after {
		if _, ok := before[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}

func same(k string) string { return k }

func orNone(s string) string {
	if s == "" {
		return None
	}
	return s
}

// setFields compares two lists as sets: one field whose before holds the
// items removed and whose after holds the items added.
func setFields(name string, before, after []string) []field {
	var removed, added []string
	for _, b := range before {
		if !slices.Contains(after, b) {
			removed = append(removed, b)
		}
	}
	for _, a := range after {
		if !slices.Contains(before, a) {
			added = append(added, a)
		}
	}
	if len(removed)+len(added) == 0 {
		return nil
	}
	return []field{{name, strings.Join(removed, ", "), strings.Join(added, ", ")}}
}

// mapFields compares two string maps: one field per key that differs,
// named prefix+key.
func mapFields(prefix string, before, after map[string]string) []field {
	var out []field
	keys := unionKeys(before, after)
	for _, k := range keys {
		if before[k] != after[k] {
			out = append(out, field{prefix + k, before[k], after[k]})
		}
	}
	return out
}

// labelString writes labels sorted, as PromQL does: {a="1", b="2"}.
func labelString(ls map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(ls)) {
		parts = append(parts, fmt.Sprintf("%s=%q", k, ls[k]))
	}
	return "{" + strings.Join(parts, ", ") + "}"
}
