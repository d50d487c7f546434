package builtins

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

// sample is a small language: a global, two modules (one an alias), a
// type with a method and an attribute.
var sample = []Entry{
	{Name: "run", Kind: Function, Params: []Param{{Name: "image"}, {Name: "cmd", Default: "None"}},
		Options: []Param{{Name: "ports", Docker: "-p, --publish", Doc: "list of `HOST:CTR` | more"}},
		Returns: "Container", Doc: "`docker run`: create and start. More text."},
	{Name: "net", Kind: Module, Doc: "Networks."},
	{Name: "net.create", Kind: Function, Params: []Param{{Name: "name"}}, Returns: "Network", Doc: "Creates a [network](#net)."},
	{Name: "net.default", Kind: Attribute, Returns: "str", Doc: "The default network's name."},
	{Name: "alias", Kind: Module, Alias: "net"},
	{Name: "Container", Kind: Type, Doc: "A container."},
	{Name: "Container.exec", Kind: Method, Params: []Param{{Name: "cmd"}, {Name: "env", Default: "None"}}, Returns: "exec_result", Doc: "Runs a process."},
	{Name: "Container.id", Kind: Attribute, Returns: "str", Doc: "64 hex characters."},
}

func TestNewRefusesMalformedTables(t *testing.T) {
	tests := []struct {
		name  string
		table []Entry
		want  string
	}{
		{"duplicate", []Entry{{Name: "f", Kind: Function, Doc: "x"}, {Name: "f", Kind: Function, Doc: "y"}}, `builtin "f" is described twice`},
		{"no doc", []Entry{{Name: "f", Kind: Function}}, `builtin "f": no doc`},
		{"orphan member", []Entry{{Name: "m.f", Kind: Function, Doc: "x"}}, `builtin "m.f": "m" is not registered`},
		{"method of a module", []Entry{{Name: "m", Kind: Module, Doc: "x"}, {Name: "m.f", Kind: Method, Doc: "x"}}, `builtin "m.f": a module has functions and attributes, not a method`},
		{"member of a function", []Entry{{Name: "f", Kind: Function, Doc: "x"}, {Name: "f.g", Kind: Function, Doc: "x"}}, `builtin "f.g": "f" is a function, which has no members`},
		{"global method", []Entry{{Name: "f", Kind: Method, Doc: "x"}}, `builtin "f": a method needs a type or module: Parent.f`},
		{"attribute with params", []Entry{{Name: "T", Kind: Type, Doc: "x"}, {Name: "T.a", Kind: Attribute, Params: []Param{{Name: "x"}}, Doc: "x"}}, `builtin "T.a": a attribute has no parameters`},
		{"alias of nothing", []Entry{{Name: "m", Kind: Module, Alias: "nope"}}, `builtin "m": alias of "nope": only a module can be another name of a registered module`},
		{"member of an alias", append(slices.Clone(sample), Entry{Name: "alias.x", Kind: Function, Doc: "x"}), `builtin "alias.x": "alias" is another name of "net": describe the member there`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.table)
			if err == nil || err.Error() != tt.want {
				t.Errorf("New: error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	r := MustNew(sample)
	tests := []struct {
		name, want string // want: the signature, "" for not found
	}{
		{"run", "run(image, cmd=None, **opts) → Container"},
		{"net.create", "net.create(name) → Network"},
		{"alias.create", "alias.create(name) → Network"}, // through the alias
		{"Container.exec", "Container.exec(cmd, env=None) → exec_result"},
		{"container.EXEC", "container.EXEC(cmd, env=None) → exec_result"}, // any case, when unique
		{"Container.id", "Container.id → str"},
		{"net", "net (module)"},
		{"Container", "Container (type)"},
		{"nope", ""},
		{"alias.nope", ""},
	}
	for _, tt := range tests {
		e, ok := r.Lookup(tt.name)
		got := ""
		if ok {
			got = e.Signature(tt.name)
		}
		if got != tt.want {
			t.Errorf("Lookup(%q): %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestSignature(t *testing.T) {
	e := Entry{Name: "json.decode", Kind: Function, Params: []Param{{Name: "x"}, {Name: "*"}, {Name: "default", Optional: true}}}
	if got, want := e.Signature("json.decode"), "json.decode(x, *, [default])"; got != want {
		t.Errorf("Signature = %q, want %q", got, want)
	}
	keywords := 0
	for _, p := range append(e.Params, Param{Name: "*args"}, Param{Name: "**kwargs"}) {
		if p.Keyword() {
			keywords++
		}
	}
	if keywords != 2 {
		t.Errorf("%d keyword parameters, want 2 (x, default)", keywords)
	}
}

func TestListings(t *testing.T) {
	r := MustNew(sample)
	names := func(es []Entry) []string {
		var out []string
		for _, e := range es {
			out = append(out, e.Name)
		}
		return out
	}
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s = %q, want %q", what, got, want)
		}
	}
	check("Globals", names(r.Globals()), []string{"run", "net", "alias"})
	check("Members(net)", names(r.Members("net")), []string{"net.create", "net.default"})
	check("Members(alias)", names(r.Members("alias")), []string{"alias.create", "alias.default"})
	check("Members(Container)", names(r.Members("Container")), []string{"Container.exec", "Container.id"})
	check("Members(run)", names(r.Members("run")), nil)
	check("Types", names(r.Types()), []string{"Container"})
	check("Names", r.Names(), []string{"Container", "Container.exec", "Container.id", "alias", "alias.create", "alias.default", "net", "net.create", "net.default", "run"})
	check("Complete(net.)", r.Complete("net."), []string{"net.create", "net.default"})
	check("Complete(Co)", r.Complete("Co"), []string{"Container", "Container.exec", "Container.id"})

	params, ok := r.Params("run")
	if !ok || !slices.Equal(names2(params), []string{"image", "cmd", "ports"}) {
		t.Errorf("Params(run) = %v, %v", params, ok)
	}
	if _, ok := r.Params("Container.id"); ok {
		t.Errorf("Params of an attribute: ok")
	}
}

func names2(ps []Param) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Name)
	}
	return out
}

func TestSuggest(t *testing.T) {
	r := MustNew(sample)
	tests := []struct{ name, want string }{
		{"rnu", "run"},
		{"net.craete", "net.create"},
		{"Container.exce", "Container.exec"},
		{"container.ide", "Container.id"},
		{"zzzzzz", ""},
	}
	for _, tt := range tests {
		if got := r.Suggest(tt.name); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestWriteHelp(t *testing.T) {
	r := MustNew(sample)
	var b bytes.Buffer
	if err := r.WriteHelp(&b, "run"); err != nil {
		t.Fatal(err)
	}
	want := "run(image, cmd=None, **opts) → Container\n\n" +
		"  `docker run`: create and start. More text.\n" +
		"\nOptions:\n" +
		"  ports (Docker: -p, --publish)\n" +
		"      list of `HOST:CTR` | more\n"
	if b.String() != want {
		t.Errorf("help run:\n%s\nwant:\n%s", b.String(), want)
	}

	b.Reset()
	if err := r.WriteHelp(&b, "alias"); err != nil {
		t.Fatal(err)
	}
	want = "alias (module)\n\n  Another name of the module net. Networks.\n\nMembers:\n" +
		"  create   Creates a network.\n" +
		"  default  The default network's name.\n"
	if b.String() != want {
		t.Errorf("help alias:\n%s\nwant:\n%s", b.String(), want)
	}

	err := r.WriteHelp(&b, "rnu")
	var unknown *UnknownNameError
	if !errors.As(err, &unknown) || err.Error() != `no builtin named "rnu" (did you mean run?)` {
		t.Errorf("help rnu: %v", err)
	}
}

func TestWriteList(t *testing.T) {
	r := MustNew(sample)
	var b bytes.Buffer
	if err := r.WriteList(&b); err != nil {
		t.Fatal(err)
	}
	want := `Globals:
  run  ` + "`docker run`" + `: create and start.

Module net (also alias):
  net.create   Creates a network.
  net.default  The default network's name.

Type Container:
  Container.exec  Runs a process.
  Container.id    64 hex characters.
`
	if b.String() != want {
		t.Errorf("list:\n%s\nwant:\n%s", b.String(), want)
	}
}

func TestMarkdown(t *testing.T) {
	r := MustNew(sample)
	tests := []struct{ what, want string }{
		{"globals", "| name | what it does |\n|---|---|\n" +
			"| `run(image, cmd=None, **opts)` → Container | `docker run`: create and start. More text. |\n" +
			"| `net`, `alias` | the [modules](#modules). |\n"},
		{"options run", "| option | Docker flag | accepts |\n|---|---|---|\n" +
			"| `ports` | `-p`, `--publish` | list of `HOST:CTR` \\| more |\n"},
		{"functions net", "| member | what it does |\n|---|---|\n" +
			"| `create(name)` → Network | Creates a [network](#net). |\n" +
			"| `default` → str | The default network's name. |\n"},
		{"methods Container", "| method | what it does |\n|---|---|\n" +
			"| `exec(cmd, env=None)` → exec_result | Runs a process. |\n"},
		{"attributes Container", "| attribute | type | value |\n|---|---|---|\n" +
			"| `id` | str | 64 hex characters. |\n"},
	}
	for _, tt := range tests {
		got, err := r.Markdown(tt.what)
		if err != nil || got != tt.want {
			t.Errorf("Markdown(%q) = %q, %v\nwant %q", tt.what, got, err, tt.want)
		}
	}
	for _, bad := range []string{"options nope", "tables run", "methods net"} {
		if _, err := r.Markdown(bad); err == nil {
			t.Errorf("Markdown(%q): no error", bad)
		}
	}
	if _, err := r.Markdown("options Containr"); err == nil || !strings.Contains(err.Error(), "did you mean Container?") {
		t.Errorf("Markdown(options Containr): %v", err)
	}
}

func TestWrap(t *testing.T) {
	got := wrap("aaa bbb ccc dddddddddd e", "  ", 10)
	want := "  aaa bbb\n  ccc\n  dddddddddd\n  e\n"
	if got != want {
		t.Errorf("wrap = %q, want %q", got, want)
	}
	for doc, want := range map[string]string{
		"Returns `a.b` and more. Second sentence.": "Returns `a.b` and more.",
		"See [the docs](#x). More.":                "See the docs.",
		"no full stop":                             "no full stop",
		"A long first sentence that goes on, and on, past the width of a summary, and on.": "A long first sentence that goes on, and on, past the width of …",
		"Cut `outside code spans that are long enough to cross the width` of a summary.":   "Cut `outside code spans that are long enough to cross the width` …",
	} {
		if got := summary(doc); got != want {
			t.Errorf("summary(%q) = %q, want %q", doc, got, want)
		}
	}
}
