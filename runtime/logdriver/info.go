package logdriver

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// Info describes the container a driver logs for.
type Info struct {
	ContainerID   string // 64 hex digits
	ContainerName string // with Docker's leading "/"
	ImageName     string
	ImageID       string
	Hostname      string
	DaemonName    string
	Config        map[string]string // log_opts
	LogPath       string            // the json-file log, or the local copy of another driver
	Env           []string          // KEY=value
	Labels        map[string]string
	// Drops counts what the driver takes but cannot deliver (see Drops);
	// it outlives the run. nil counts nothing.
	Drops *Drops
}

// Tag expands the "tag" option (or defaultTemplate when it is unset) as a
// Go template, as Docker's drivers do: {{.ID}} (12-digit id), {{.FullID}},
// {{.Name}} (without "/"), {{.ImageID}}, {{.ImageFullID}},
// {{.ImageName}}, {{.Hostname}}, {{.DaemonName}}, and the functions lower,
// upper, split, join, truncate, pad and json.
func (i Info) Tag(defaultTemplate string) (string, error) {
	text := i.Config["tag"]
	if text == "" {
		text = defaultTemplate
	}
	tmpl, err := parseTag(text)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, tagFields{i}); err != nil {
		return "", fmt.Errorf("invalid tag '%s': %w", text, err)
	}
	return b.String(), nil
}

func parseTag(text string) (*template.Template, error) {
	tmpl, err := template.New("log-tag").Funcs(tagFuncs()).Parse(text)
	if err != nil {
		return nil, fmt.Errorf("invalid tag '%s': %w", text, err)
	}
	return tmpl, nil
}

// tagFuncs are the template functions Docker offers in tags.
func tagFuncs() template.FuncMap {
	return template.FuncMap{
		"lower": strings.ToLower,
		"upper": strings.ToUpper,
		"split": strings.Split,
		"join":  strings.Join,
		"truncate": func(s string, n int) string {
			if n < len(s) {
				return s[:max(n, 0)]
			}
			return s
		},
		"pad": func(s string, left, right int) string {
			return strings.Repeat(" ", max(left, 0)) + s + strings.Repeat(" ", max(right, 0))
		},
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
	}
}

// tagFields is what a tag template sees.
type tagFields struct{ i Info }

func (t tagFields) ID() string          { return shortID(t.i.ContainerID) }
func (t tagFields) FullID() string      { return t.i.ContainerID }
func (t tagFields) Name() string        { return strings.TrimPrefix(t.i.ContainerName, "/") }
func (t tagFields) ImageID() string     { return shortID(strings.TrimPrefix(t.i.ImageID, "sha256:")) }
func (t tagFields) ImageFullID() string { return t.i.ImageID }
func (t tagFields) ImageName() string   { return t.i.ImageName }
func (t tagFields) Hostname() string    { return t.i.Hostname }
func (t tagFields) DaemonName() string  { return t.i.DaemonName }

func shortID(id string) string { return id[:min(len(id), 12)] }

// ExtraAttributes returns the labels and environment variables the
// "labels", "labels-regex", "env" and "env-regex" options select, which
// drivers attach to every message (json-file as "attrs"). Names listed but
// not set on the container are left out.
func (i Info) ExtraAttributes() (map[string]string, error) {
	extra := make(map[string]string)
	for _, name := range splitList(i.Config["labels"]) {
		if v, ok := i.Labels[name]; ok {
			extra[name] = v
		}
	}
	if expr := i.Config["labels-regex"]; expr != "" {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("invalid labels-regex '%s': %w", expr, err)
		}
		for k, v := range i.Labels {
			if re.MatchString(k) {
				extra[k] = v
			}
		}
	}
	env := make(map[string]string)
	for _, kv := range i.Env {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	for _, name := range splitList(i.Config["env"]) {
		if v, ok := env[name]; ok {
			extra[name] = v
		}
	}
	if expr := i.Config["env-regex"]; expr != "" {
		re, err := regexp.Compile(expr)
		if err != nil {
			return nil, fmt.Errorf("invalid env-regex '%s': %w", expr, err)
		}
		for k, v := range env {
			if re.MatchString(k) {
				extra[k] = v
			}
		}
	}
	return extra, nil
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}
