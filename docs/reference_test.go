package docs_test

import (
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"berth/starlib/builtins"
	"berth/starlib/harness"
)

var update = flag.Bool("update", false, "rewrite the generated tables of reference.md from the builtins' registry")

// The markers around a generated table. What follows "BEGIN GENERATED "
// up to the colon is what builtins.Registry.Markdown renders.
const (
	beginMarker = "<!-- BEGIN GENERATED "
	endMarker   = "<!-- END GENERATED -->"
	markerNote  = ": edit the docs.go beside the builtin, then run go test ./docs -update -->"
)

// regenerate returns text with every generated table rendered again from
// reg, and the tables it holds.
func regenerate(text string, reg *builtins.Registry) (string, []string, error) {
	var out []string
	var tables []string
	lines := strings.Split(text, "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if strings.HasPrefix(line, endMarker) {
			return "", nil, fmt.Errorf("line %d: %s without a BEGIN", i+1, endMarker)
		}
		if !strings.HasPrefix(line, beginMarker) {
			out = append(out, line)
			continue
		}
		what, _, ok := strings.Cut(strings.TrimPrefix(line, beginMarker), ":")
		if !ok {
			return "", nil, fmt.Errorf("line %d: want %s<table>%s", i+1, beginMarker, markerNote)
		}
		table, err := reg.Markdown(what)
		if err != nil {
			return "", nil, fmt.Errorf("line %d: %w", i+1, err)
		}
		end := slices.IndexFunc(lines[i+1:], func(l string) bool { return strings.HasPrefix(l, endMarker) || strings.HasPrefix(l, beginMarker) })
		if end < 0 || strings.HasPrefix(lines[i+1+end], beginMarker) {
			return "", nil, fmt.Errorf("line %d: the table %q has no %s", i+1, what, endMarker)
		}
		out = append(out, beginMarker+what+markerNote)
		out = append(out, strings.Split(strings.TrimSuffix(table, "\n"), "\n")...)
		out = append(out, endMarker)
		tables = append(tables, what)
		i += 1 + end
	}
	return strings.Join(out, "\n"), tables, nil
}

// TestReferenceIsGenerated fails when a table of reference.md differs from
// what the registry (the docs.go beside each builtin) renders, or when a
// module or type has no table; go test ./docs -update rewrites the tables.
func TestReferenceIsGenerated(t *testing.T) {
	const path = "reference.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	reg := harness.Registry()
	got, tables, err := regenerate(string(data), reg)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	want := []string{"globals", "options run"}
	for _, m := range reg.Modules() {
		want = append(want, "functions "+m.Name)
	}
	for _, ty := range reg.Types() {
		want = append(want, "attributes "+ty.Name)
		if slices.ContainsFunc(reg.Members(ty.Name), builtins.Entry.Callable) {
			want = append(want, "methods "+ty.Name)
		}
	}
	for _, w := range want {
		if !slices.Contains(tables, w) {
			t.Errorf("%s has no generated table %q: add %s%s%s and %s where it belongs, then go test ./docs -update", path, w, beginMarker, w, markerNote, endMarker)
		}
	}
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if d := cmp.Diff(string(data), got); d != "" {
		t.Errorf("%s is stale: its generated tables differ from the registry (-file +registry); run go test ./docs -update:\n%s", path, d)
	}
}

func TestRegenerate(t *testing.T) {
	reg := builtins.MustNew([]builtins.Entry{{Name: "f", Kind: builtins.Function, Doc: "Does f."}})
	begin := beginMarker + "globals" + markerNote
	tests := []struct {
		name, text, want, wantErr string
	}{
		{name: "rewrites the table, keeps the prose",
			text: "intro\n" + begin + "\n| stale |\n" + endMarker + "\noutro",
			want: "intro\n" + begin + "\n| name | what it does |\n|---|---|\n| `f()` | Does f. |\n" + endMarker + "\noutro"},
		{name: "an old note is rewritten",
			text: beginMarker + "globals: old note -->\n" + endMarker,
			want: begin + "\n| name | what it does |\n|---|---|\n| `f()` | Does f. |\n" + endMarker},
		{name: "no end", text: begin + "\n| x |\n", wantErr: `line 1: the table "globals" has no ` + endMarker},
		{name: "a begin before the end", text: begin + "\n" + begin + "\n" + endMarker, wantErr: `line 1: the table "globals" has no ` + endMarker},
		{name: "an end alone", text: "x\n" + endMarker, wantErr: "line 2: " + endMarker + " without a BEGIN"},
		{name: "an unknown table", text: beginMarker + "functions nope" + markerNote + "\n" + endMarker, wantErr: `line 1: table "functions nope": no builtin named "nope"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := regenerate(tt.text, reg)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("regenerate = %q, %v\nwant %q", got, err, tt.want)
			}
		})
	}
}
