package harness_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/runtime/engine/enginetest"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

func TestPredeclared(t *testing.T) {
	got := harness.Predeclared().Keys()
	want := []string{"assert", "capture", "cmp", "container", "create", "expect", "host", "image", "json", "network", "registry", "run", "sleep", "time", "volume"}
	if !slices.Equal(got, want) {
		t.Errorf("Predeclared() = %v, want %v", got, want)
	}
}

// TestScenarios runs testdata/*.star: sandboxes nest as the contract says.
func TestScenarios(t *testing.T) {
	env := enginetest.New(t)
	env.PassTestdata()
}

// writeFiles writes name → source into a fresh directory and returns it.
func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, src := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// Two files running at the same time both name a container "db": each
// sees its own. Each file waits for the other's marker while its "db"
// exists, so they provably overlap.
func TestParallelFilesUseTheSameNames(t *testing.T) {
	env := enginetest.New(t)
	markers := t.TempDir()
	file := func(me, other string) string {
		return strings.NewReplacer("ME", me, "OTHER", other, "MARKERS", markers).Replace(`
DB = run("busybox", "sh -c 'echo ME; exec sleep 3600'", detach = True, name = "db")
host.write_file("MARKERS/ME", "")

def other_started():
    return host.exec(["test", "-e", "MARKERS/OTHER"]).exit_code == 0

def test_own_db():
    assert.eventually(other_started, timeout = "60s", interval = "10ms")
    assert.eq(container("db"), DB)
    container("db").wait_for_log("^ME$")
    assert.eq(container("db").logs(), "ME\n")
    web = run("busybox", "sleep 3600", detach = True, name = "web")
    assert.eq(container("web"), web)
`)
	}
	dir := writeFiles(t, map[string]string{"a.star": file("a", "b"), "b.star": file("b", "a")})
	opts := enginetest.Options(env.Engine)
	opts.Paths = []string{dir}
	opts.Parallel = 2
	sum, report := enginetest.Run(t, context.Background(), opts)
	if !sum.OK() || sum.Passed != 2 {
		t.Fatalf("want both files to pass:\n%s", report)
	}
	env.NothingLeft()
}

// A failing case shows its own containers and the top level's, with their
// state and last log lines.
func TestDiagnostics(t *testing.T) {
	env := enginetest.New(t)
	dir := writeFiles(t, map[string]string{"d.star": `
TOP = run("busybox", "sh -c 'echo top speaks; exec sleep 3600'", detach = True, name = "top")

def test_fails():
    TOP.wait_for_log("top speaks")
    run("busybox", "sh -c 'echo case speaks; exit 3'", name = "mine")
    fail("boom")
`})
	sum, report := enginetest.RunFiles(t, env.Engine, dir)
	if sum.Failed != 1 {
		t.Fatalf("want one failure:\n%s", report)
	}
	for _, want := range []string{
		"fail: boom",
		"container mine (", "exited, exit code 3", "| case speaks",
		"from the top level:", "container top (", "running", "| top speaks",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	env.NothingLeft()
}

// A case that outlives Options.Timeout fails; its container is removed
// and the next case still runs, with the top level's containers.
func TestTimeout(t *testing.T) {
	env := enginetest.New(t)
	dir := writeFiles(t, map[string]string{"slow.star": `
TOP = run("busybox", "sleep 3600", detach = True)

def test_hangs():
    run("busybox", "sleep 3600", name = "stuck")

def test_next():
    assert.eq(TOP.status, "running")
    assert.fails(lambda: container("stuck"), "No such container")
`})
	opts := enginetest.Options(env.Engine)
	opts.Paths = []string{dir}
	opts.Timeout = time.Second
	sum, report := enginetest.Run(t, context.Background(), opts)
	if sum.Failed != 1 || sum.Passed != 1 || !strings.Contains(report, "timed out after 1s") {
		t.Fatalf("want test_hangs to time out and test_next to pass:\n%s", report)
	}
	env.NothingLeft()
}

// An interrupted run fails the running case, skips the rest, and still
// removes every container.
func TestInterrupt(t *testing.T) {
	env := enginetest.New(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	dir := writeFiles(t, map[string]string{"i.star": `
TOP = run("busybox", "sleep 3600", detach = True)

def test_interrupted():
    c = run("busybox", "sleep 3600", detach = True)
    interrupt()
    c.wait()

def test_skipped():
    fail("must not run")
`})
	opts := enginetest.Options(env.Engine)
	opts.Paths = []string{dir}
	opts.Predeclared["interrupt"] = starlark.NewBuiltin("interrupt", func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
		cancel()
		return starlark.None, nil
	})
	sum, report := enginetest.Run(t, ctx, opts)
	if !sum.Interrupted || sum.Failed != 1 || sum.Skipped != 1 || !strings.Contains(report, "interrupted") {
		t.Fatalf("want an interrupted run, one failure, one skip:\n%s", report)
	}
	env.NothingLeft()
}

// When the top level fails, its containers are removed and the cases do
// not run.
func TestTopLevelFailure(t *testing.T) {
	env := enginetest.New(t)
	dir := writeFiles(t, map[string]string{"top.star": `
run("busybox", "sleep 3600", detach = True, name = "early")
fail("setup broke")

def test_never():
    pass
`})
	sum, report := enginetest.RunFiles(t, env.Engine, dir)
	if sum.Failed != 1 || sum.Skipped != 1 || !strings.Contains(report, "setup broke") || !strings.Contains(report, "container early (") {
		t.Fatalf("want the top level to fail with its diagnostics and the case skipped:\n%s", report)
	}
	env.NothingLeft()
}

// berth run (runner.RunFile) gets the same nesting of sandboxes.
func TestRunFile(t *testing.T) {
	env := enginetest.New(t)
	dir := writeFiles(t, map[string]string{"one.star": `
TOP = run("busybox", "sleep 3600", detach = True, name = "top")

def test_sees_top():
    assert.eq(container("top"), TOP)
    print("seen")
`})
	var out strings.Builder
	opts := harness.Options(backend.NewSandboxes(env.Engine))
	opts.Stdout = &out
	sum, err := runner.RunFile(context.Background(), filepath.Join(dir, "one.star"), opts)
	if err != nil || !sum.OK() || sum.Passed != 1 || !strings.Contains(out.String(), "seen") {
		t.Fatalf("RunFile: %v\n%s", err, out.String())
	}
	env.NothingLeft()
}

// A directory name may hold "::", which also separates a case from its
// file in sandbox labels: the cases must still see their top level.
func TestColonsInThePath(t *testing.T) {
	env := enginetest.New(t)
	dir := filepath.Join(t.TempDir(), "odd::dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := `
TOP = run("busybox", "sleep 3600", detach = True, name = "top")

def test_sees_top():
    assert.eq(container("top"), TOP)
`
	if err := os.WriteFile(filepath.Join(dir, "f.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, report := enginetest.RunFiles(t, env.Engine, dir)
	if !sum.OK() || sum.Passed != 1 {
		t.Fatalf("want the case to see the top level:\n%s", report)
	}
	env.NothingLeft()
}
