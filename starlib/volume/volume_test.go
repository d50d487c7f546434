package volume_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"berth/runtime/engine/enginetest"
)

// TestScenarios runs testdata/*.star on a real engine: every case must
// pass and leave nothing behind.
func TestScenarios(t *testing.T) {
	env := enginetest.New(t)
	env.PassTestdata()
}

// A kept volume survives the run that made it, and a later run finds it
// with its data under the same name.
func TestKeepOutlivesTheRun(t *testing.T) {
	env := enginetest.New(t)
	dir := t.TempDir()
	write := func(name, src string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a_first.star", `
def test_write():
    volume.create("berth-test-keep", keep = True)
    run("busybox", "sh -c 'echo from the first run > /data/f'", volumes = ["berth-test-keep:/data"])
`)
	t.Cleanup(func() { _ = env.Engine.RemoveVolume(context.Background(), "berth-test-keep", "berth-test-keep") })
	if sum, report := enginetest.RunFiles(t, env.Engine, filepath.Join(dir, "a_first.star")); !sum.OK() {
		t.Fatalf("first run:\n%s", report)
	}
	write("b_second.star", `
def test_read():
    assert.eq(run("busybox", "cat /data/f", volumes = ["berth-test-keep:/data"]).stdout, "from the first run\n")
    assert.eq(volume.inspect("berth-test-keep")["Name"], "berth-test-keep")
`)
	if sum, report := enginetest.RunFiles(t, env.Engine, filepath.Join(dir, "b_second.star")); !sum.OK() {
		t.Fatalf("second run:\n%s", report)
	}
	if err := env.Engine.RemoveVolume(context.Background(), "berth-test-keep", "berth-test-keep"); err != nil {
		t.Fatal(err)
	}
}
