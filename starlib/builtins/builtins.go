// Package builtins describes the scenario language once: every global,
// module, module member, value type, method and attribute, with its
// signature and a paragraph of documentation. Each starlib package declares
// the entries of what it implements in a docs.go beside the code; the
// harness assembles them into a Registry, which `berth help`, the generated
// tables of docs/reference.md and the REPL's :help and completion read.
//
// The package also holds the spelling help for names a scenario gets wrong:
// Nearest (the closest known name) and Docker's spellings of options
// (DockerSpellings), which starlib/args uses for unknown keyword arguments
// and the runner for undefined globals.
package builtins

import (
	"fmt"
	"slices"
	"strings"
)

// Kind is what a name denotes.
type Kind string

// The kinds of entries.
const (
	Function  Kind = "function"  // a global or a module's function
	Module    Kind = "module"    // a predeclared module
	Type      Kind = "type"      // a value type, such as Container
	Method    Kind = "method"    // a method of a type
	Attribute Kind = "attribute" // an attribute of a type, or a module's value
)

// Param is a parameter of a callable.
type Param struct {
	// Name is the keyword, or a marker as Python writes one: "*args",
	// "**kwargs", "*" (the parameters after it are keyword-only).
	Name string
	// Default is the Starlark source of the default value; "" when the
	// parameter is required (or is an option of Entry.Options).
	Default string
	// Optional marks a parameter that may be left out but has no default
	// value to show (json.decode's default): the signature shows [name].
	Optional bool
	// Docker is the Docker flags the parameter stands for, such as
	// "-p, --publish", for the options of run and create.
	Docker string
	// Doc says what the parameter accepts, for options; parameters of
	// other callables are described in their entry's Doc.
	Doc string
}

// Keyword reports whether p can be given by name (it is no marker).
func (p Param) Keyword() bool { return !strings.HasPrefix(p.Name, "*") && p.Name != "/" }

// Entry describes one name of the scenario language.
type Entry struct {
	// Name is the full name: "run", "network", "network.create",
	// "Container", "Container.exec", "Container.id".
	Name string
	Kind Kind
	// Params are a callable's parameters, in order.
	Params []Param
	// Options are keyword options that the signature shows as **opts and
	// the documentation lists one by one (run, create).
	Options []Param
	// Returns is what a call returns or what an attribute holds, such as
	// "Container", "str" or "int or None"; "" for a callable that returns
	// None.
	Returns string
	// Doc is one paragraph, Markdown (code in backticks, links).
	Doc string
	// Alias, for a module, names the module it is another name of
	// (expect is assert): its members are the other's.
	Alias string
}

// Parent returns the module or type an entry belongs to ("" for a
// global) and its short name.
func (e Entry) Parent() (parent, short string) {
	if i := strings.LastIndex(e.Name, "."); i >= 0 {
		return e.Name[:i], e.Name[i+1:]
	}
	return "", e.Name
}

// Short is the name without its module or type.
func (e Entry) Short() string {
	_, s := e.Parent()
	return s
}

// Callable reports whether the entry is a function or a method.
func (e Entry) Callable() bool { return e.Kind == Function || e.Kind == Method }

// AllParams returns the parameters and then the options.
func (e Entry) AllParams() []Param { return append(slices.Clone(e.Params), e.Options...) }

// Signature shows how the entry is used, with the given name: "run(image,
// cmd=None, **opts) → Container", "id → str", "network (module)".
func (e Entry) Signature(name string) string {
	switch e.Kind {
	case Module, Type:
		return fmt.Sprintf("%s (%s)", name, e.Kind)
	case Attribute:
		return withReturns(name, e.Returns)
	}
	var parts []string
	for _, p := range e.Params {
		switch {
		case p.Default != "":
			parts = append(parts, p.Name+"="+p.Default)
		case p.Optional:
			parts = append(parts, "["+p.Name+"]")
		default:
			parts = append(parts, p.Name)
		}
	}
	if len(e.Options) > 0 {
		parts = append(parts, "**opts")
	}
	return withReturns(name+"("+strings.Join(parts, ", ")+")", e.Returns)
}

func withReturns(s, returns string) string {
	if returns == "" {
		return s
	}
	return s + " → " + returns
}

// Registry is the set of entries of one language, with lookups for help
// and completion. It is read-only once built.
type Registry struct {
	byName map[string]Entry
	order  []string // as declared: the order help and the reference show
	names  []string // sorted
}

// New builds a registry of the entries of every table. It fails on a
// malformed table: a duplicate name, a member whose module or type is not
// registered, a kind that does not fit.
func New(tables ...[]Entry) (*Registry, error) {
	r := &Registry{byName: map[string]Entry{}}
	for _, table := range tables {
		for _, e := range table {
			if _, dup := r.byName[e.Name]; dup {
				return nil, fmt.Errorf("builtin %q is described twice", e.Name)
			}
			r.byName[e.Name] = e
			r.order = append(r.order, e.Name)
		}
	}
	r.names = slices.Sorted(slices.Values(r.order))
	for _, name := range r.names {
		if err := r.check(r.byName[name]); err != nil {
			return nil, fmt.Errorf("builtin %q: %w", name, err)
		}
	}
	return r, nil
}

// MustNew is New for tables known at compile time.
func MustNew(tables ...[]Entry) *Registry {
	r, err := New(tables...)
	if err != nil {
		panic(err)
	}
	return r
}

func (r *Registry) check(e Entry) error {
	parent, short := e.Parent()
	switch {
	case short == "":
		return fmt.Errorf("empty name")
	case e.Doc == "" && e.Alias == "":
		return fmt.Errorf("no doc")
	case !e.Callable() && (len(e.Params) > 0 || len(e.Options) > 0):
		return fmt.Errorf("a %s has no parameters", e.Kind)
	}
	if parent == "" {
		if e.Kind == Method || e.Kind == Attribute {
			return fmt.Errorf("a %s needs a type or module: Parent.%s", e.Kind, short)
		}
	} else {
		p, ok := r.byName[parent]
		switch {
		case !ok:
			return fmt.Errorf("%q is not registered", parent)
		case p.Kind == Module && e.Kind != Function && e.Kind != Attribute:
			return fmt.Errorf("a module has functions and attributes, not a %s", e.Kind)
		case p.Kind == Type && e.Kind != Method && e.Kind != Attribute:
			return fmt.Errorf("a type has methods and attributes, not a %s", e.Kind)
		case p.Kind != Module && p.Kind != Type:
			return fmt.Errorf("%q is a %s, which has no members", parent, p.Kind)
		case p.Alias != "":
			return fmt.Errorf("%q is another name of %q: describe the member there", parent, p.Alias)
		}
	}
	if e.Alias != "" {
		target, ok := r.byName[e.Alias]
		if e.Kind != Module || !ok || target.Kind != Module || target.Alias != "" {
			return fmt.Errorf("alias of %q: only a module can be another name of a registered module", e.Alias)
		}
	}
	return nil
}

// Lookup finds an entry by its full name. A member of an alias module
// ("expect.eq") is the aliased module's member under the asked name. A
// name that matches no entry exactly may match one regardless of case
// ("container.exec" is Container.exec), when only one does.
func (r *Registry) Lookup(name string) (Entry, bool) {
	if e, ok := r.byName[name]; ok {
		return r.resolveAlias(e), true
	}
	if parent, short, ok := strings.Cut(name, "."); ok {
		if m, ok := r.byName[parent]; ok && m.Alias != "" {
			if e, ok := r.byName[m.Alias+"."+short]; ok {
				e.Name = name
				return e, true
			}
		}
	}
	var found []string
	for _, n := range r.names {
		if strings.EqualFold(n, name) {
			found = append(found, n)
		}
	}
	if len(found) == 1 {
		return r.Lookup(found[0])
	}
	return Entry{}, false
}

// resolveAlias gives an alias module the doc of the module it names, when
// it has none of its own.
func (r *Registry) resolveAlias(e Entry) Entry {
	if e.Alias != "" && e.Doc == "" {
		e.Doc = r.byName[e.Alias].Doc
	}
	return e
}

// Globals returns the predeclared names, modules included, in the order
// they were declared.
func (r *Registry) Globals() []Entry {
	var out []Entry
	for _, n := range r.order {
		if e := r.byName[n]; !strings.Contains(n, ".") && e.Kind != Type {
			out = append(out, r.resolveAlias(e))
		}
	}
	return out
}

// Members returns the members of a module or type, in the order they were
// declared; for an alias module, the aliased module's members under its
// own name.
func (r *Registry) Members(parent string) []Entry {
	owner := parent
	if m, ok := r.byName[parent]; ok && m.Alias != "" {
		owner = m.Alias
	}
	var out []Entry
	for _, n := range r.order {
		if p, short, _ := strings.Cut(n, "."); p == owner && short != "" {
			e := r.byName[n]
			e.Name = parent + "." + short
			out = append(out, e)
		}
	}
	return out
}

// Params returns the parameters of a callable, options included, in
// order.
func (r *Registry) Params(name string) ([]Param, bool) {
	e, ok := r.Lookup(name)
	if !ok || !e.Callable() {
		return nil, false
	}
	return e.AllParams(), true
}

// Names returns every name a scenario can write, sorted: the globals, and
// every member under each module's and type's name (an alias module's
// members too).
func (r *Registry) Names() []string {
	var out []string
	for _, g := range r.Globals() {
		out = append(out, g.Name)
		for _, m := range r.Members(g.Name) {
			out = append(out, m.Name)
		}
	}
	for _, n := range r.names {
		if e := r.byName[n]; e.Kind == Type {
			out = append(out, n)
			for _, m := range r.Members(n) {
				out = append(out, m.Name)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Complete returns the names that start with prefix, for a REPL's
// completion: "net" gives network and its members, "network.c" gives
// network.connect and network.create.
func (r *Registry) Complete(prefix string) []string {
	var out []string
	for _, n := range r.Names() {
		if strings.HasPrefix(n, prefix) {
			out = append(out, n)
		}
	}
	return out
}

// Suggest returns the known name nearest to name, or "" when none is
// close: for "did you mean". A member is compared with the members of the
// same module or type first.
func (r *Registry) Suggest(name string) string {
	names := r.Names()
	if parent, _, ok := strings.Cut(name, "."); ok {
		var siblings []string
		for _, n := range names {
			if p, _, _ := strings.Cut(n, "."); strings.EqualFold(p, parent) && n != p {
				siblings = append(siblings, n)
			}
		}
		if s := Nearest(name, siblings); s != "" {
			return s
		}
	}
	return Nearest(name, names)
}

// Types returns the value types, in the order they were declared.
func (r *Registry) Types() []Entry {
	var out []Entry
	for _, n := range r.order {
		if e := r.byName[n]; e.Kind == Type {
			out = append(out, e)
		}
	}
	return out
}
