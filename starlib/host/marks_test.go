package host_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vishvananda/netlink"
	"go.starlark.net/starlark"

	"berth/runtime/hostmark"
	"berth/runtime/store"
	"berth/starlib/internal/startest"
)

// What a case makes on the host carries this process as its owner, so
// that berth gc finds it if the run is killed: the temporary directory in
// its name, under berth's own directory, the veth ends in their alias.
func TestHostObjectsAreMarked(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("veth pairs need root")
	}
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	check := starlark.NewBuiltin("check", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var dir, a, z string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 3, &dir, &a, &z); err != nil {
			return nil, err
		}
		if filepath.Dir(dir) != hostmark.TempBase() || !strings.HasPrefix(filepath.Base(dir), fmt.Sprintf("%d-%d-%d-", me.Pid, me.StartTime, hostmark.PIDNamespace())) {
			t.Errorf("tempdir %s: want PID-START-PIDNS-RANDOM under %s", dir, hostmark.TempBase())
		}
		for _, name := range []string{a, z} {
			link, err := netlink.LinkByName(name)
			if err != nil {
				return nil, err
			}
			m, ok := hostmark.Parse(link.Attrs().Alias)
			if !ok || m.Owner != me || m.PIDNS != hostmark.PIDNamespace() || m.Object != "host.veth_pair" {
				t.Errorf("veth end %s has alias %q, want a mark naming this process", name, link.Attrs().Alias)
			}
		}
		return starlark.None, nil
	})
	src := `
def test_marks():
    a, z = host.veth_pair()
    check(host.tempdir(), a, z)
    fail("done")
`
	startest.Fail(t, "marks.star", src, startest.Options(starlark.StringDict{"check": check}))
}
