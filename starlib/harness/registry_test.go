package harness_test

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	rcapture "berth/runtime/capture"
	"berth/starlib/args"
	"berth/starlib/builtins"
	"berth/starlib/capture"
	"berth/starlib/container"
	"berth/starlib/dialect"
	"berth/starlib/harness"
	"berth/starlib/network"
	"berth/starlib/registry"
	"berth/starlib/result"
	"berth/starlib/volume"
)

// upstream are go.starlark.net's names: their parameters are not
// unpacked by args.Unpack, so only their presence is checked.
var upstream = []string{"print", "fail", "json", "time"}

// typeValues are a value of each documented type, whose AttrNames do not
// need the value to be live.
func typeValues() map[string]starlark.HasAttrs {
	values := map[string]starlark.HasAttrs{
		"Container":   &container.Value{},
		"Network":     &network.Value{},
		"Registry":    &registry.Server{},
		"Receiver":    &capture.Value{},
		"Volume":      &volume.Value{},
		"exec_result": &result.ExecResult{},
	}
	maps.Copy(values, capture.TypeValues())
	return values
}

func shortNames(es []builtins.Entry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Short())
	}
	slices.Sort(out)
	return out
}

// TestRegistryDescribesPredeclared: every predeclared global, every member
// of every predeclared module and every attribute of every value type has
// an entry of the right kind, and every entry names something that exists,
// so the registry cannot go stale in either direction.
func TestRegistryDescribesPredeclared(t *testing.T) {
	reg := harness.Registry()
	pre := harness.Predeclared()
	for _, name := range pre.Keys() {
		e, ok := reg.Lookup(name)
		if !ok || e.Name != name {
			t.Errorf("predeclared %s has no entry: describe it in the docs.go beside it", name)
			continue
		}
		mod, isModule := pre[name].(*starlarkstruct.Module)
		if want := map[bool]builtins.Kind{true: builtins.Module, false: builtins.Function}[isModule]; e.Kind != want {
			t.Errorf("%s is a %s, its entry says %s", name, want, e.Kind)
		}
		if !isModule {
			continue
		}
		for _, member := range mod.Members.Keys() {
			full := name + "." + member
			m, ok := reg.Lookup(full)
			want := builtins.Attribute
			if _, isBuiltin := mod.Members[member].(*starlark.Builtin); isBuiltin {
				want = builtins.Function
			}
			switch {
			case !ok:
				t.Errorf("%s has no entry", full)
			case m.Kind != want:
				t.Errorf("%s is a %s, its entry says %s", full, want, m.Kind)
			}
		}
		if got, want := shortNames(reg.Members(name)), mod.Members.Keys(); !slices.Equal(got, want) {
			t.Errorf("entries of module %s: %q, want its members %q", name, got, want)
		}
	}
	for _, g := range reg.Globals() {
		if !pre.Has(g.Name) && !starlark.Universe.Has(g.Name) {
			t.Errorf("entry %s names no predeclared or universal name", g.Name)
		}
	}

	values := typeValues()
	for _, ty := range reg.Types() {
		v, ok := values[ty.Name]
		if !ok {
			t.Errorf("type %s: no value of it in this test's typeValues", ty.Name)
			continue
		}
		want := slices.Sorted(slices.Values(v.AttrNames()))
		if got := shortNames(reg.Members(ty.Name)); !slices.Equal(got, want) {
			t.Errorf("entries of type %s: %q, want its attributes %q", ty.Name, got, want)
		}
	}
	if len(reg.Types()) != len(values) {
		t.Errorf("%d documented types, %d values in typeValues", len(reg.Types()), len(values))
	}
}

// TestRegistryDockerFlags: every Docker flag an option documents is one
// "did you mean" knows, when its keyword is not the option's own name.
func TestRegistryDockerFlags(t *testing.T) {
	reg := harness.Registry()
	for _, name := range reg.Names() {
		params, _ := reg.Params(name)
		for _, p := range params {
			if p.Docker == "" {
				continue
			}
			for _, flag := range splitFlags(p.Docker) {
				kw := flagKeyword(flag)
				if kw == p.Name {
					continue
				}
				if s, ok := builtins.DockerSpelling(kw, []string{p.Name}); !ok || s.Flag != flag {
					t.Errorf("%s: %s's flag %s has no row {%q, %q, %q} in builtins.DockerSpellings", name, p.Name, flag, kw, p.Name, flag)
				}
			}
		}
	}
}

// TestRegistryParamsMatchBuiltins calls every documented builtin with a
// keyword it does not have: the *args.UnknownKeywordError lists the
// parameters it really takes, which must be the documented ones. The
// fake backend makes the values: no builtin runs past its unpacking.
func TestRegistryParamsMatchBuiltins(t *testing.T) {
	sb, err := harness.NewFactory(backend.NewSandboxes(fake.New()))(context.Background(), "registry.star", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := sb.Close(context.Background()); err != nil {
			t.Errorf("close sandbox: %v", err)
		}
	})
	th := &starlark.Thread{Name: "registry"}
	sb.Bind(th)
	pre := harness.Predeclared()
	eval := func(expr string) starlark.Value {
		v, err := starlark.EvalOptions(dialect.FileOptions(), th, "registry.star", expr, pre)
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	reg0, err := registry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reg0.Close() })
	rcv, err := rcapture.ListenSyslog("udp", "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rcv.Close() })
	receiver := func(kind string) starlark.Value {
		r, stop, err := capture.Start(kind)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { stop() })
		return r
	}
	instances := map[string]starlark.Value{
		"FluentdReceiver":    receiver("fluentd"),
		"CloudWatchReceiver": receiver("cloudwatch"),
		"Receiver":           capture.NewValue(rcv),
		"Registry":           reg0,
		"Container":          eval(`create("busybox")`),
		"Network":            eval(`[n for n in network.ls() if n.name == "none"][0]`),
		"Volume":             eval(`volume.create("registry")`),
		"exec_result":        result.NewExec(0, "", "", ""),
	}
	// create takes detach= and timeout= only to refuse them with a better
	// message than "unexpected keyword".
	extra := map[string][]string{"create": {"detach", "timeout"}}

	reg := harness.Registry()
	for _, name := range reg.Names() {
		e, _ := reg.Lookup(name)
		parent, short := e.Parent()
		if slices.Contains(upstream, name) || slices.Contains(upstream, parent) || e.Alias != "" || parent == "expect" {
			continue
		}
		var v starlark.Value
		switch {
		case parent == "":
			v = pre[name]
		case instances[parent] != nil:
			v = attr(t, instances[parent], short)
		default:
			v = attr(t, pre[parent].(starlark.HasAttrs), short)
		}
		_, isBuiltin := v.(*starlark.Builtin)
		if e.Callable() != isBuiltin {
			t.Errorf("%s: the entry is a %s, the value a %s", name, e.Kind, v.Type())
			continue
		}
		if !e.Callable() {
			continue
		}
		var want []string
		for _, p := range e.AllParams() {
			if p.Keyword() {
				want = append(want, p.Name)
			}
		}
		want = append(want, extra[name]...)
		_, err := starlark.Call(th, v.(starlark.Callable), nil, []starlark.Tuple{{starlark.String("zz_no_such_param"), starlark.None}})
		var unknown *args.UnknownKeywordError
		if !errors.As(err, &unknown) {
			t.Errorf("%s: a call with an unknown keyword: %v, want an *args.UnknownKeywordError (does it unpack with args.Unpack?)", name, err)
			continue
		}
		got := slices.Clone(unknown.Params)
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s takes %q, its entry documents %q", name, unknown.Params, want)
		}
	}
}

func attr(t *testing.T, v starlark.Value, name string) starlark.Value {
	t.Helper()
	a, err := v.(starlark.HasAttrs).Attr(name)
	if err != nil || a == nil {
		t.Fatalf("%s has no attribute %s: %v", v.Type(), name, err)
	}
	return a
}

func splitFlags(s string) []string { return strings.Split(s, ", ") }

// flagKeyword is a Docker flag written as a keyword: --log-opt is log_opt.
func flagKeyword(flag string) string {
	return strings.ReplaceAll(strings.TrimLeft(flag, "-"), "-", "_")
}
