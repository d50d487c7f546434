package cmpmod_test

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/starlib/cmpmod"
	"berth/starlib/dialect"
	"berth/starlib/internal/startest"
)

func TestScripts(t *testing.T) {
	startest.PassAll(t, "testdata", startest.Options(nil))
}

func eval(t *testing.T, expr string) starlark.Value {
	t.Helper()
	v, err := starlark.EvalOptions(dialect.FileOptions(), &starlark.Thread{}, "test", expr, starlark.StringDict{"struct": starlark.NewBuiltin("struct", starlarkstruct.Make)})
	if err != nil {
		t.Fatalf("eval %s: %v", expr, err)
	}
	return v
}

func TestDiff(t *testing.T) {
	tests := []struct {
		a, b string
		want []string // substrings of the diff, in order; none means equal
	}{
		{a: `[1, 2]`, b: `[1, 2]`},
		{a: `1`, b: `1.0`},
		{a: `set([1, 2])`, b: `set([2, 1])`},
		{a: `{"a": 1, 2: "x"}`, b: `{2: "x", "a": 1}`},
		{a: `[1, 2]`, b: `[1, 3]`, want: []string{"[]any{", "int64(1),", "- \tint64(2),", "+ \tint64(3),"}},
		{a: `{"k": "v1"}`, b: `{"k": "v2"}`, want: []string{"map[string]any{", `- 	"k": string("v1"),`, `+ 	"k": string("v2"),`}},
		{a: `{1: "a"}`, b: `{1: "b"}`, want: []string{`"1": string("a")`, `"1": string("b")`}},
		{a: `[1]`, b: `(1,)`, want: []string{"- list [1]", "+ tuple (1,)"}},
		{a: `set([1, 2])`, b: `set([1, 3])`, want: []string{"- \tint64(2)", "+ \tint64(3)"}},
		{a: `struct(code=1, out="x")`, b: `struct(code=2, out="x")`, want: []string{`- 	"code": int64(1),`, `+ 	"code": int64(2),`}},
		{a: `[1 << 100]`, b: `[(1 << 100) + 1]`, want: []string{`- 	string("1267650600228229401496703205376"),`}},
		{a: `None`, b: `False`, want: []string{"- None\n+ False\n"}},
		{a: `"a"`, b: `1`, want: []string{"- \"a\"\n+ 1\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			d, err := cmpmod.Diff(eval(t, tt.a), eval(t, tt.b))
			if err != nil {
				t.Fatal(err)
			}
			if len(tt.want) == 0 {
				if d != "" {
					t.Fatalf("want no diff, got:\n%s", d)
				}
				return
			}
			if strings.Contains(d, "\u00a0") {
				t.Errorf("diff contains non-breaking spaces:\n%s", d)
			}
			rest := d
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("diff lacks %q (in order); got:\n%s", w, d)
				}
				rest = rest[i+len(w):]
			}
		})
	}
}

func TestDiffOfCyclicValues(t *testing.T) {
	a := starlark.NewList([]starlark.Value{starlark.MakeInt(1)})
	a.Append(a)
	b := starlark.NewList([]starlark.Value{starlark.MakeInt(2)})
	b.Append(b)
	d, err := cmpmod.Diff(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(d, "<cycle: list>") {
		t.Errorf("diff of cyclic lists:\n%s\nwant the cycle marked", d)
	}
}

func TestDiffIncomparable(t *testing.T) {
	a := starlark.NewList(nil)
	a.Append(a)
	b := starlark.NewList(nil)
	b.Append(b)
	if _, err := cmpmod.Diff(a, b); err == nil {
		t.Errorf("comparing two self-containing lists: want Starlark's recursion error, got none")
	}
}
