package builtins

import (
	"fmt"
	"strings"
)

// Markdown renders one generated table of docs/reference.md. what is one
// of:
//
//	globals            the global functions, then a row naming the modules
//	options NAME       the options of a callable (run): option, Docker flag, accepts
//	attributes NAME    the attributes of a type or module: name, type, doc
//	methods NAME       the methods of a type
//	functions NAME     the functions of a module, then its values
func (r *Registry) Markdown(what string) (string, error) {
	kind, name, _ := strings.Cut(what, " ")
	if kind != "globals" {
		e, ok := r.Lookup(name)
		if !ok {
			return "", fmt.Errorf("table %q: %w", what, &UnknownNameError{Name: name, Suggestion: r.Suggest(name)})
		}
		if want := tableOf[kind]; want != "" && e.Kind != want {
			return "", fmt.Errorf("table %q: %s is a %s, want a %s", what, name, e.Kind, want)
		}
	}
	var t table
	switch kind {
	case "globals":
		t = r.globalsTable()
	case "options":
		t = r.optionsTable(name)
	case "attributes":
		t = r.membersTable(name, "attribute", func(e Entry) bool { return e.Kind == Attribute })
	case "methods":
		t = r.membersTable(name, "method", Entry.Callable)
	case "functions":
		t = r.membersTable(name, "function", func(Entry) bool { return true })
	default:
		return "", fmt.Errorf("table %q: want globals, options NAME, attributes NAME, methods NAME or functions NAME", what)
	}
	if len(t.rows) == 0 {
		return "", fmt.Errorf("table %q has no rows", what)
	}
	return t.String(), nil
}

// tableOf is the kind of entry each table is about.
var tableOf = map[string]Kind{"options": Function, "methods": Type, "functions": Module}

type table struct {
	header []string
	rows   [][]string
}

func (t table) String() string {
	var b strings.Builder
	line := func(cells []string) {
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + c + " |")
		}
		b.WriteString("\n")
	}
	line(t.header)
	sep := make([]string, len(t.header))
	for i := range sep {
		sep[i] = "---"
	}
	b.WriteString("|" + strings.Join(sep, "|") + "|\n")
	for _, r := range t.rows {
		line(r)
	}
	return b.String()
}

// cell makes doc text fit in a table cell: one line, pipes escaped.
func cell(text string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(text), " "), "|", `\|`)
}

// code shows a signature as code, with what it returns after the span:
// "`exec(cmd)` → exec_result".
func code(e Entry, name string) string {
	sig := e.Signature(name)
	call, returns, _ := strings.Cut(sig, " → ")
	s := "`" + call + "`"
	if returns != "" {
		s += " → " + returns
	}
	return cell(s)
}

func (r *Registry) globalsTable() table {
	t := table{header: []string{"name", "what it does"}}
	for _, g := range r.Globals() {
		if g.Kind != Module {
			t.rows = append(t.rows, []string{code(g, g.Name), cell(g.Doc)})
		}
	}
	var modules []string
	for _, m := range r.Modules() { // each followed by its other names
		modules = append(modules, "`"+m.Name+"`")
		for _, g := range r.Globals() {
			if g.Alias == m.Name {
				modules = append(modules, "`"+g.Name+"`")
			}
		}
	}
	if len(modules) > 0 {
		t.rows = append(t.rows, []string{strings.Join(modules, ", "), "the [modules](#modules)."})
	}
	return t
}

func (r *Registry) optionsTable(name string) table {
	e, _ := r.Lookup(name)
	t := table{header: []string{"option", "Docker flag", "accepts"}}
	for _, o := range e.Options {
		flags := "—"
		if o.Docker != "" {
			var quoted []string
			for _, f := range strings.Split(o.Docker, ", ") {
				quoted = append(quoted, "`"+f+"`")
			}
			flags = strings.Join(quoted, ", ")
		}
		t.rows = append(t.rows, []string{"`" + o.Name + "`", flags, cell(o.Doc)})
	}
	return t
}

func (r *Registry) membersTable(parent, noun string, keep func(Entry) bool) table {
	members := r.Members(parent)
	t := table{header: []string{noun, "what it does"}}
	if noun == "attribute" {
		t.header = []string{"attribute", "type", "value"}
	}
	var values []Entry
	for _, m := range members {
		switch {
		case !keep(m):
		case noun == "attribute":
			t.rows = append(t.rows, []string{"`" + m.Short() + "`", cell(m.Returns), cell(m.Doc)})
		case m.Kind == Attribute:
			values = append(values, m) // a module's values go after its functions
		default:
			t.rows = append(t.rows, []string{code(m, m.Short()), cell(m.Doc)})
		}
	}
	for _, v := range values {
		t.header[0] = "member"
		t.rows = append(t.rows, []string{code(v, v.Short()), cell(v.Doc)})
	}
	return t
}
