// Package enginetest runs scenario files on a real engine for the tests
// of the starlib packages that need containers.
package enginetest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"berth/runtime/engine"
	"berth/starlib/harness"
	"berth/starlib/runner"
)

// Engine opens an engine on a fresh root, closed and removed when the
// test ends. It skips the test when not root.
func Engine(t *testing.T) *engine.Engine {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("containers need root")
	}
	root, err := os.MkdirTemp("", "berth-starlib-test-")
	if err != nil {
		t.Fatal(err)
	}
	e, err := engine.Open(engine.Options{Root: root})
	if err != nil {
		os.RemoveAll(root)
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("close engine: %v", err)
		}
		if left := Leftovers(t, e); len(left) > 0 {
			t.Errorf("left behind after the test: %v", left)
		}
		os.RemoveAll(root)
	})
	return e
}

// RunFiles runs the scenario files (or directories) on e and returns the
// summary and the report.
func RunFiles(t *testing.T, e *engine.Engine, paths ...string) (runner.Summary, string) {
	t.Helper()
	var out bytes.Buffer
	opts := harness.Options(e)
	opts.Paths = paths
	opts.Stdout = &out
	opts.Verbose = true
	sum, err := runner.Test(context.Background(), opts)
	if err != nil {
		t.Fatalf("run %v: %v\n%s", paths, err, out.String())
	}
	return sum, out.String()
}

// RunTestdata runs every testdata/*.star file of the calling package and
// fails the test unless every case passed.
func RunTestdata(t *testing.T, e *engine.Engine) {
	t.Helper()
	files, err := filepath.Glob("testdata/*.star")
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/*.star files: %v", err)
	}
	sum, report := RunFiles(t, e, files...)
	if !sum.OK() || sum.Passed == 0 {
		t.Fatalf("scenarios failed:\n%s", report)
	}
	if testing.Verbose() {
		t.Log("\n" + strings.TrimSpace(report))
	}
}

// Leftovers lists what berth state exists under e's root: container and
// libcontainer state directories, and mounts. (cgroups are named by
// container id and destroyed before the container's directory goes, so a
// leaked cgroup shows as a leaked directory here.)
func Leftovers(t *testing.T, e *engine.Engine) []string {
	t.Helper()
	var out []string
	for _, sub := range []string{"containers", "runc"} {
		entries, _ := os.ReadDir(filepath.Join(e.Root(), sub))
		for _, ent := range entries {
			out = append(out, sub+"/"+ent.Name())
		}
	}
	mounts, _ := os.ReadFile("/proc/self/mountinfo")
	for _, line := range strings.Split(string(mounts), "\n") {
		if f := strings.Fields(line); len(f) > 4 && strings.HasPrefix(f[4], e.Root()+"/") {
			out = append(out, "mount "+f[4])
		}
	}
	return out
}
