package host_test

import (
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"berth/starlib/internal/faketest"
)

// host.veth_pair makes its pair through the backend's Host and removes it
// when the case ends, passed or failed.
func TestVethPairGoesThroughTheHost(t *testing.T) {
	env := faketest.New(t)
	h := env.Backend.FakeHost()
	var seen [][]string
	check := starlark.NewBuiltin("check", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var a, z string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 2, &a, &z); err != nil {
			return nil, err
		}
		seen = append(seen, h.Links())
		if got := h.Links(); len(got) != 2 || !strings.HasPrefix(a, "bvp") || !strings.HasSuffix(a, "a") || strings.TrimSuffix(a, "a")+"b" != z {
			t.Errorf("veth_pair returned %q, %q; the host has %q", a, z, got)
		}
		return starlark.None, nil
	})
	env.Options.Predeclared["check"] = check
	r := env.FailedCase(`
def test_pair():
    a, z = host.veth_pair()
    check(a, z)
    fail("on purpose")
`)
	if !strings.Contains(r.Failure, "on purpose") || len(seen) != 1 {
		t.Fatalf("the case did not run check once: %s", r.Failure)
	}
	if got := h.Links(); len(got) != 0 {
		t.Errorf("links left after the case: %q", got)
	}
	if got := env.Failure(`host.veth_pair(1)`); !strings.Contains(got, "Error in host.veth_pair: got 1 arguments, want at most 0") {
		t.Errorf("veth_pair(1): %s", got)
	}
}
