package dialect

import (
	"testing"

	"go.starlark.net/starlark"
)

// TestFileProgramHints: undefined names get the nearest name in scope,
// predeclared and universal ones included; other resolve errors and
// files that compile are as starlark.FileProgram leaves them.
func TestFileProgramHints(t *testing.T) {
	predeclared := starlark.StringDict{"run": starlark.None, "network": starlark.None}
	tests := []struct{ src, want string }{
		{"rnu()\n", "f.star:1:1: undefined: rnu (did you mean run?)"},
		{"netwrok.create()\n", "f.star:1:1: undefined: netwrok (did you mean network?)"},
		{"x = lenn([])\n", "f.star:1:5: undefined: lenn (did you mean len?)"},
		{"def f(count):\n    return cuont\n", "f.star:2:12: undefined: cuont (did you mean count?)"},
		{"def f():\n    return zzzz\n", "f.star:2:12: undefined: zzzz"},
		{"break\n", "f.star:1:1: break not in a loop"},
		{"run()\n", ""},
	}
	for _, tt := range tests {
		f, err := FileOptions().Parse("f.star", tt.src, 0)
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		_, err = FileProgram(f, predeclared)
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != tt.want {
			t.Errorf("%q: error %q, want %q", tt.src, got, tt.want)
		}
	}
}
