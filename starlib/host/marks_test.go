package host_test

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"berth/runtime/hostmark"
	"berth/runtime/store"
	"berth/starlib/internal/startest"
)

// What a case makes on the host carries this process as its owner, so
// that berth gc finds it if the run is killed: the temporary directory in
// its name, under berth's own directory. (The veth ends' marks are the
// embedded backend's: runtime/engine's host_test.go tests them.)
func TestHostObjectsAreMarked(t *testing.T) {
	me, err := store.Self()
	if err != nil {
		t.Fatal(err)
	}
	check := starlark.NewBuiltin("check", func(_ *starlark.Thread, b *starlark.Builtin, args starlark.Tuple, kwargs []starlark.Tuple) (starlark.Value, error) {
		var dir string
		if err := starlark.UnpackPositionalArgs(b.Name(), args, kwargs, 1, &dir); err != nil {
			return nil, err
		}
		if filepath.Dir(dir) != hostmark.TempBase() || !strings.HasPrefix(filepath.Base(dir), fmt.Sprintf("%d-%d-%d-", me.Pid, me.StartTime, hostmark.PIDNamespace())) {
			t.Errorf("tempdir %s: want PID-START-PIDNS-RANDOM under %s", dir, hostmark.TempBase())
		}
		return starlark.None, nil
	})
	src := `
def test_marks():
    check(host.tempdir())
    fail("done")
`
	startest.Fail(t, "marks.star", src, startest.Options(starlark.StringDict{"check": check}))
}
