package image_test

import (
	"fmt"
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

// Relative paths are relative to the directory of the running file, not to
// the directory berth runs in.
func TestRelativePathsFollowTheFile(t *testing.T) {
	env := enginetest.New(t)
	suite := filepath.Join(t.TempDir(), "suite")
	if err := os.MkdirAll(filepath.Join(suite, "rootfs", "etc"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(suite, "rootfs", "etc", "motd"), []byte("relative\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	src := fmt.Sprintf(`
def test_relative():
    doc = image.import_rootfs("rootfs", "berth-test/rel:1")
    assert.eq(doc["RepoTags"], ["berth-test/rel:1"])
    image.rm("berth-test/rel:1")
    assert.fails(lambda: image.import_rootfs("missing", "x:y"), 'import "%s/missing": stat')
`, suite)
	if err := os.WriteFile(filepath.Join(suite, "rel.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat("rootfs"); err == nil {
		t.Fatal("the test's own directory has a rootfs: the test would prove nothing")
	}
	sum, report := enginetest.RunFiles(t, env.Engine, suite)
	if !sum.OK() || sum.Passed != 1 {
		t.Fatalf("want the case to pass:\n%s", report)
	}
}

// busybox is always there, even before its first use: removing it from a
// fresh store works, and the next use builds it again.
func TestRemoveBusyboxFromAFreshStore(t *testing.T) {
	env := enginetest.New(t)
	dir := t.TempDir()
	src := `
def test_rm_busybox_first():
    image.rm("busybox")
    assert.eq(run("busybox", "echo back").output, "back\n")
`
	if err := os.WriteFile(filepath.Join(dir, "rm.star"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	sum, report := enginetest.RunFiles(t, env.Engine, dir)
	if !sum.OK() || sum.Passed != 1 {
		t.Fatalf("want the case to pass:\n%s", report)
	}
}
