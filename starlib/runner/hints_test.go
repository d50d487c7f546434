package runner

import (
	"testing"

	"go.starlark.net/starlark"
)

// TestUndefinedNameHints: an undefined name gets the nearest name the file
// could mean, predeclared ones included (go.starlark.net's resolver only
// looks at the file's own names), in the file itself and in a loaded one;
// the resolver's own hints for locals and globals stay.
func TestUndefinedNameHints(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string // the failure of the file, exactly
	}{
		{
			name:  "a predeclared builtin",
			files: map[string]string{"t.star": `rnu("busybox")` + "\n"},
			want:  "t.star:1:1: undefined: rnu (did you mean run?)",
		},
		{
			name:  "a predeclared module, in a case",
			files: map[string]string{"t.star": "def test_a():\n    asert.eq(1, 1)\n"},
			want:  "t.star:2:5: undefined: asert (did you mean assert?)",
		},
		{
			name:  "Starlark's universe",
			files: map[string]string{"t.star": "x = lne([1])\n"},
			want:  "t.star:1:5: undefined: lne (did you mean len?)",
		},
		{
			name:  "a local of the enclosing function",
			files: map[string]string{"t.star": "def test_a():\n    value = 1\n    return valeu\n"},
			want:  "t.star:3:12: undefined: valeu (did you mean value?)",
		},
		{
			name:  "a local of a function around a lambda",
			files: map[string]string{"t.star": "def test_a():\n    count = 1\n    f = lambda: cuont + 1\n"},
			want:  "t.star:3:17: undefined: cuont (did you mean count?)",
		},
		{
			name:  "a global of the file",
			files: map[string]string{"t.star": "IMAGE = \"busybox\"\ndef test_a():\n    run(IMAGES)\n"},
			want:  "t.star:3:9: undefined: IMAGES (did you mean IMAGE?)",
		},
		{
			name:  "nothing close",
			files: map[string]string{"t.star": "zzzzzz()\n"},
			want:  "t.star:1:1: undefined: zzzzzz",
		},
		{
			name:  "every undefined name of the file",
			files: map[string]string{"t.star": "rnu()\nslep(1)\n"},
			want:  "t.star:1:1: undefined: rnu (did you mean run?)\nt.star:2:1: undefined: slep (did you mean sleep?)",
		},
		{
			name: "in a loaded file",
			files: map[string]string{
				"t.star":   "load(\"lib.star\", \"f\")\nf()\n",
				"lib.star": "def f():\n    return crate(\"busybox\")\n",
			},
			want: "lib.star:2:12: undefined: crate (did you mean create?)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEngine()
			opts := e.options(nil)
			for _, name := range []string{"run", "create", "sleep"} {
				opts.Predeclared[name] = starlark.NewBuiltin(name, func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
					return starlark.None, nil
				})
			}
			sum, report, err := runTree(t, e, opts, tt.files, "t.star")
			if err != nil {
				t.Fatal(err)
			}
			if len(sum.Cases) == 0 || sum.Cases[0].Failure != tt.want {
				t.Errorf("failure:\n%s\nwant:\n%s\nreport:\n%s", sum.Cases[0].Failure, tt.want, report)
			}
		})
	}
}
