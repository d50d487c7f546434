// Package enginetest runs scenario files on a real engine for the tests
// that need containers (the starlib packages, the docs' examples), and
// checks that a run leaves nothing behind on the host: no container or runc
// state directory under the engine's root, no mount below it, no cgroup of
// a container it made.
package enginetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/engine"
	"berth/starlib/harness"
	"berth/starlib/runner"

	"github.com/moby/sys/mountinfo"
)

// Env is an engine on a fresh root, for one test.
type Env struct {
	Engine *engine.Engine
	t      *testing.T
	ids    *idWatch        // ids of the containers the engine creates
	before map[string]bool // berth cgroups that existed before the engine
}

// New opens an engine on a fresh temporary root. When the test ends it
// closes the engine, fails the test if anything was left behind, and
// removes the root. It skips the test when not root.
func New(t *testing.T) *Env {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containers need root")
	}
	root, err := os.MkdirTemp("", "berth-starlib-test-")
	if err != nil {
		t.Fatal(err)
	}
	before := berthCgroups()
	// Offline: tests have no internet; a pull off loopback fails at once.
	e, err := engine.Open(engine.Options{Root: root, Offline: true})
	if err != nil {
		os.RemoveAll(root)
		t.Fatal(err)
	}
	ids, err := watchIDs(filepath.Join(e.Root(), "containers"))
	if err != nil {
		e.Close()
		os.RemoveAll(root)
		t.Fatal(err)
	}
	env := &Env{Engine: e, t: t, ids: ids, before: before}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close engine: %v", err)
		}
		if left := env.Leftovers(); len(left) > 0 {
			t.Errorf("left behind after the test:\n  %s", strings.Join(left, "\n  "))
		}
		ids.close()
		if err := os.RemoveAll(root); err != nil {
			t.Errorf("remove engine root: %v", err)
		}
	})
	return env
}

// Options returns runner options wired to e by harness.Options, verbose.
// The runner closes every sandbox it opens.
func Options(e *engine.Engine) runner.Options {
	opts := harness.Options(backend.NewSandboxes(e))
	opts.Verbose = true
	return opts
}

// Run runs opts (its Stdout replaced) and returns the summary and the
// report. A run that could not happen (no files) fails the test; an
// interrupted one does not, so that tests can interrupt on purpose.
func Run(t *testing.T, ctx context.Context, opts runner.Options) (runner.Summary, string) {
	t.Helper()
	var out bytes.Buffer
	opts.Stdout = &out
	sum, err := runner.Test(ctx, opts)
	if err != nil && !sum.Interrupted {
		t.Fatalf("run %v: %v\n%s", opts.Paths, err, out.String())
	}
	return sum, out.String()
}

// RunFiles runs the scenario files (or directories) on e and returns the
// summary and the report.
func RunFiles(t *testing.T, e *engine.Engine, paths ...string) (runner.Summary, string) {
	t.Helper()
	opts := Options(e)
	opts.Paths = paths
	return Run(t, context.Background(), opts)
}

// runTestdata runs every testdata/*.star file of the calling package on e
// and fails the test, showing the report, unless every case passed.
func runTestdata(t *testing.T, e *engine.Engine) runner.Summary {
	t.Helper()
	files, err := filepath.Glob("testdata/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.star files: %v", err)
	}
	sum, report := RunFiles(t, e, files...)
	if !sum.OK() || sum.Passed == 0 || sum.Skipped > 0 {
		t.Fatalf("want every case to pass, got:\n%s", report)
	}
	if testing.Verbose() {
		t.Log("\n" + strings.TrimSpace(report))
	}
	return sum
}

// PassTestdata runs every testdata/*.star file of the calling package as
// runTestdata does, then fails the test if the finished run left anything.
func (env *Env) PassTestdata() runner.Summary {
	env.t.Helper()
	sum := runTestdata(env.t, env.Engine)
	env.NothingLeft()
	return sum
}

// NothingLeft fails the test if the engine holds anything now: every
// sandbox of a finished run must have removed what it made.
func (env *Env) NothingLeft() {
	env.t.Helper()
	if left := env.Leftovers(); len(left) > 0 {
		env.t.Errorf("left behind after the run:\n  %s", strings.Join(left, "\n  "))
	}
}

// Leftovers lists the berth state that exists now: what leftovers finds,
// and the cgroups of containers this engine created.
func (env *Env) Leftovers() []string {
	env.t.Helper()
	out := leftovers(env.t, env.Engine)
	ids, complete, err := env.ids.created()
	if err != nil {
		env.t.Errorf("read created container ids: %v", err)
	}
	for cg := range berthCgroups() {
		if env.before[cg] {
			continue
		}
		// Other berth processes (tests of other packages) may have
		// cgroups of their own right now: only ours count, unless the
		// watch lost events and cannot tell.
		if ids[idOf(cg)] || !complete {
			out = append(out, "cgroup "+cg)
		}
	}
	return out
}

// leftovers lists the berth state under e's root: container and runc
// state directories, volumes that were not kept, networks, and mounts below
// the root.
func leftovers(t *testing.T, e *engine.Engine) []string {
	t.Helper()
	root := e.Root()
	var out []string
	for _, sub := range []string{"containers", "runc"} {
		entries, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil && !os.IsNotExist(err) {
			t.Errorf("list %s: %v", sub, err)
		}
		for _, ent := range entries {
			out = append(out, filepath.Join(root, sub, ent.Name()))
		}
	}
	vols, err := e.Volumes().List()
	if err != nil {
		t.Errorf("list volumes: %v", err)
	}
	for _, v := range vols {
		if !v.Keep { // kept volumes outlive runs by design
			out = append(out, "volume "+v.Name)
		}
	}
	nets, err := e.Networks().List()
	if err != nil {
		t.Errorf("list networks: %v", err)
	}
	for _, n := range nets {
		out = append(out, "network "+n.Name+" (bridge "+n.Device+")")
	}
	mounts, err := mountinfo.GetMounts(func(m *mountinfo.Info) (skip, stop bool) {
		return !strings.HasPrefix(m.Mountpoint, root+"/"), false
	})
	if err != nil {
		t.Errorf("read mountinfo: %v", err)
	}
	for _, m := range mounts {
		out = append(out, "mount "+m.Mountpoint)
	}
	return out
}
