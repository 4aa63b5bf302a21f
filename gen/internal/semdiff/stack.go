package semdiff

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lms/lms-ops/gen/internal/model"
	"github.com/lms/lms-ops/gen/internal/render"
	"github.com/lms/lms-ops/gen/internal/render/dashboards"
)

// compareScrape: Prometheus's intervals, and the scrape jobs with their
// targets, path and labels.
func compareScrape(before, after Side) ([]Change, error) {
	gb, ga := before.Stack.Outputs.Prometheus.Config.Global, after.Stack.Outputs.Prometheus.Config.Global
	var out []Change
	for _, f := range fieldsOf(
		field{"scrape_interval", gb.ScrapeInterval, ga.ScrapeInterval},
		field{"evaluation_interval", gb.EvaluationInterval, ga.EvaluationInterval},
	) {
		out = append(out, Change{Scrape, "global", f.name, orNone(f.before), orNone(f.after)})
	}
	jobs := func(s *model.Stack) map[string]model.ScrapeJob {
		out := map[string]model.ScrapeJob{}
		for _, j := range s.Outputs.Prometheus.Config.ScrapeConfigs {
			out[j.JobName] = j
		}
		return out
	}
	describe := func(j model.ScrapeJob) string {
		return fmt.Sprintf("%s%s %s", strings.Join(targets(j), ", "), j.MetricsPath, labelString(jobLabels(j)))
	}
	return append(out, byKey(Scrape, jobs(before.Stack), jobs(after.Stack), func(k string) string { return "job " + k }, describe,
		func(b, a model.ScrapeJob) []field {
			fs := setFields("targets", targets(b), targets(a))
			fs = append(fs, fieldsOf(field{"metrics_path", b.MetricsPath, a.MetricsPath})...)
			return append(fs, mapFields("label ", jobLabels(b), jobLabels(a))...)
		})...), nil
}

func targets(j model.ScrapeJob) []string {
	var out []string
	for _, sc := range j.StaticConfigs {
		out = append(out, sc.Targets...)
	}
	return out
}

func jobLabels(j model.ScrapeJob) map[string]string {
	out := map[string]string{}
	for _, sc := range j.StaticConfigs {
		maps.Copy(out, sc.Labels)
	}
	return out
}

// compareDashboards: dashboards and panels added or removed; per panel,
// queries and threshold steps changed; per dashboard, its variables.
func compareDashboards(before, after Side) ([]Change, error) {
	bs, err := render.DashboardSpecs(before.Stack)
	if err != nil {
		return nil, err
	}
	as, err := render.DashboardSpecs(after.Stack)
	if err != nil {
		return nil, err
	}
	out := byKey(Dashboards, bs, as, same, func(s *dashboards.Spec) string { return s.Title },
		func(b, a *dashboards.Spec) []field {
			fs := fieldsOf(field{"title", b.Title, a.Title})
			return append(fs, mapFields("variable ", variables(b), variables(a))...)
		})
	for _, name := range slices.Sorted(maps.Keys(bs)) {
		if a, ok := as[name]; ok {
			out = append(out, byKey(Dashboards, panels(bs[name]), panels(a), func(t string) string { return fmt.Sprintf("%s › %q", name, t) },
				func(p dashboards.Panel) string { return p.Kind }, panelFields)...)
		}
	}
	return out, nil
}

func variables(s *dashboards.Spec) map[string]string {
	out := map[string]string{}
	for _, v := range s.Variables {
		out[v.Name] = strings.Join(v.Values, ", ")
	}
	return out
}

// panels indexes a dashboard's panels by title (unique in a dashboard).
func panels(s *dashboards.Spec) map[string]dashboards.Panel {
	out := map[string]dashboards.Panel{}
	for _, r := range s.Rows {
		for _, p := range r.Panels {
			out[p.Title] = p
		}
	}
	return out
}

func panelFields(b, a dashboards.Panel) []field {
	fs := fieldsOf(
		field{"kind", b.Kind, a.Kind},
		field{"unit", b.Unit, a.Unit},
		field{"thresholds", steps(b.Thresholds), steps(a.Thresholds)},
	)
	queries := func(p dashboards.Panel) map[string]string {
		out := map[string]string{}
		for _, q := range p.Queries {
			out[q.RefID] = q.Expr
		}
		return out
	}
	return append(fs, mapFields("query ", queries(b), queries(a))...)
}

// steps writes threshold steps as a reader says them: "green, red from 0.75".
func steps(t *dashboards.Thresholds) string {
	if t == nil {
		return ""
	}
	parts := []string{t.Base}
	for _, s := range t.Steps {
		parts = append(parts, fmt.Sprintf("%s from %s", s.Color, render.FormatNumber(s.Value)))
	}
	return strings.Join(parts, ", ")
}

// compareCompose: services of both compose files added or removed; per
// service its image, published ports, volumes, command flags, environment,
// secrets and restart policy.
func compareCompose(before, after Side) ([]Change, error) {
	return byKey(Compose, before.Stack.ComposeServices(), after.Stack.ComposeServices(), func(k string) string { return "service " + k },
		func(s model.ComposeService) string { return s.Image },
		func(b, a model.ComposeService) []field {
			fs := fieldsOf(field{"image", b.Image, a.Image})
			fs = append(fs, setFields("ports", ports(b), ports(a))...)
			fs = append(fs, setFields("volumes", b.Volumes, a.Volumes)...)
			fs = append(fs, mapFields("flag ", flags(b.Command), flags(a.Command))...)
			fs = append(fs, mapFields("env ", b.Environment, a.Environment)...)
			fs = append(fs, setFields("secrets", b.Secrets, a.Secrets)...)
			return append(fs, fieldsOf(field{"restart", b.Restart, a.Restart})...)
		}), nil
}

func ports(s model.ComposeService) []string {
	var out []string
	for _, p := range s.Ports {
		out = append(out, string(p))
	}
	return out
}

// flags indexes a command's --name=value flags by name; a flag without a
// value has the value "on", one set to nothing the value `""`, so that
// neither reads as absent.
func flags(command []string) map[string]string {
	out := map[string]string{}
	for _, c := range command {
		name, value, ok := strings.Cut(c, "=")
		switch {
		case !ok:
			value = "on"
		case value == "":
			value = `""`
		}
		out[name] = value
	}
	return out
}
