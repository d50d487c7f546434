package builtins

import (
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"text/tabwriter"
)

// UnknownNameError is a name that has no entry, with the nearest one.
type UnknownNameError struct {
	Name       string
	Suggestion string // "" when nothing is close
}

func (e *UnknownNameError) Error() string {
	msg := fmt.Sprintf("no builtin named %q", e.Name)
	if e.Suggestion != "" {
		msg += fmt.Sprintf(" (did you mean %s?)", e.Suggestion)
	}
	return msg
}

// helpWidth is where text wraps in a terminal.
const helpWidth = 80

// WriteList writes every builtin with the first sentence of its doc:
// the globals, then each module's members, then each type's.
func (r *Registry) WriteList(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "Globals:")
	for _, g := range r.Globals() {
		if g.Kind != Module {
			fmt.Fprintf(tw, "  %s\t%s\n", g.Name, summary(g.Doc))
		}
	}
	for _, m := range r.Modules() {
		fmt.Fprintf(tw, "\nModule %s%s:\n", m.Name, r.aliasNote(m.Name))
		r.writeMembers(tw, m.Name)
	}
	for _, t := range r.Types() {
		fmt.Fprintf(tw, "\nType %s:\n", t.Name)
		r.writeMembers(tw, t.Name)
	}
	return tw.Flush()
}

// Modules returns the modules that are not another's name, sorted.
func (r *Registry) Modules() []Entry {
	var out []Entry
	for _, g := range r.Globals() {
		if g.Kind == Module && g.Alias == "" {
			out = append(out, g)
		}
	}
	slices.SortFunc(out, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// aliasNote is " (also expect)" for a module with other names.
func (r *Registry) aliasNote(module string) string {
	var aliases []string
	for _, g := range r.Globals() {
		if g.Alias == module {
			aliases = append(aliases, g.Name)
		}
	}
	if len(aliases) == 0 {
		return ""
	}
	return " (also " + strings.Join(aliases, ", ") + ")"
}

func (r *Registry) writeMembers(w io.Writer, parent string) {
	for _, m := range r.Members(parent) {
		fmt.Fprintf(w, "  %s\t%s\n", m.Name, summary(m.Doc))
	}
}

// WriteHelp writes the signature and doc of the entry called name; for a
// module or type also its members, for run and create their options. An
// unknown name is an *UnknownNameError.
func (r *Registry) WriteHelp(w io.Writer, name string) error {
	e, ok := r.Lookup(name)
	if !ok {
		return &UnknownNameError{Name: name, Suggestion: r.Suggest(name)}
	}
	var b strings.Builder
	b.WriteString(e.Signature(e.Name) + "\n\n")
	doc := e.Doc
	if e.Alias != "" {
		doc = fmt.Sprintf("Another name of the module %s. %s", e.Alias, doc)
	}
	b.WriteString(wrap(plain(doc), "  ", helpWidth))
	if len(e.Options) > 0 {
		b.WriteString("\nOptions:\n")
		for _, o := range e.Options {
			head := "  " + o.Name
			if o.Docker != "" {
				head += " (Docker: " + o.Docker + ")"
			}
			b.WriteString(head + "\n" + wrap(plain(o.Doc), "      ", helpWidth))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return err
	}
	if members := r.Members(e.Name); len(members) > 0 {
		fmt.Fprintln(w, "\nMembers:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, m := range members {
			fmt.Fprintf(tw, "  %s\t%s\n", m.Short(), summary(m.Doc))
		}
		return tw.Flush()
	}
	return nil
}

// markdownLink is [text](target).
var markdownLink = regexp.MustCompile(`\[([^\]]+)\]\([^)]*\)`)

// plain turns a doc's Markdown into terminal text: links keep their text;
// code keeps its backticks, which mark it well enough.
func plain(doc string) string {
	return markdownLink.ReplaceAllString(doc, "$1")
}

// summaryWidth is where a long summary in the list is cut, so that a line
// stays readable in a terminal.
const summaryWidth = 60

// summary is the first sentence of a doc, in plain text; when that is
// long, it is cut at the first space outside code from summaryWidth on.
func summary(doc string) string {
	text := plain(strings.Join(strings.Fields(doc), " "))
	inCode := false
	for i := 0; i < len(text); i++ {
		switch {
		case text[i] == '`':
			inCode = !inCode
		case inCode:
		case text[i] == '.' && (i+1 == len(text) || text[i+1] == ' '):
			return text[:i+1]
		case text[i] == ' ' && i >= summaryWidth:
			return strings.TrimRight(text[:i], ",;:") + " …"
		}
	}
	return text
}

// wrap fills text into lines of at most width characters (a longer word
// gets a line of its own), each starting with indent.
func wrap(text, indent string, width int) string {
	var b strings.Builder
	line := indent
	for _, word := range strings.Fields(text) {
		if line != indent && len(line)+1+len(word) > width {
			b.WriteString(line + "\n")
			line = indent
		}
		if line != indent {
			line += " "
		}
		line += word
	}
	if line != indent {
		b.WriteString(line + "\n")
	}
	return b.String()
}
