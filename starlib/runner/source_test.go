package runner

import (
	"strings"
	"testing"
)

// A NUL byte fails the file, naming where it is: Starlark would stop
// reading there, and the cases after it would silently not run.
func TestNULByteFailsTheFile(t *testing.T) {
	tests := []struct {
		name, src, want string
	}{
		{"between cases", "def test_a():\n    pass\n\x00\ndef test_b():\n    fail(\"never runs\")\n", "x.star:3:1: NUL byte: a .star file must be text"},
		{"in a string", "def test_a():\n    s = \"é\x00\"\n", "x.star:2:11: NUL byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newFakeEngine()
			sum, _, err := runTree(t, e, e.options(nil), map[string]string{"x.star": tt.src}, "x.star")
			if err != nil {
				t.Fatal(err)
			}
			wantIDs(t, sum, "FAIL x.star")
			if got := sum.Cases[0].Failure; !strings.HasPrefix(got, tt.want) {
				t.Errorf("failure = %q, want %q", got, tt.want)
			}
		})
	}
	t.Run("in a loaded module", func(t *testing.T) {
		e := newFakeEngine()
		sum, _, err := runTree(t, e, e.options(nil), map[string]string{
			"x.star":   "load(\"lib.star\", \"f\")\ndef test_a():\n    f()\n",
			"lib.star": "def f():\n    pass\n\x00\n",
		}, "x.star")
		if err != nil {
			t.Fatal(err)
		}
		wantIDs(t, sum, "FAIL x.star", "SKIP x.star::test_a")
		if want := "lib.star:3:1: NUL byte"; !strings.Contains(sum.Cases[0].Failure, want) {
			t.Errorf("failure = %q, want it to contain %q", sum.Cases[0].Failure, want)
		}
	})
}
