package engine

import (
	"os"
	"os/exec"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// foregroundOK runs cs in the foreground in sb and returns what it printed,
// failing the test unless it exits 0.
func foregroundOK(t *testing.T, sb backend.Sandbox, cs spec.Container) string {
	t.Helper()
	c, err := sb.Run(ctx(t), cs, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := foreground(c).Output
	if code := c.State().ExitCode; code != 0 {
		t.Fatalf("%v exited %d: %q", cs.Cmd, code, out)
	}
	return out
}

// An image imported from a temporary directory (0700) runs as a non-root
// user: its root directory is 0755, not the source directory's mode.
func TestImportedImageRunsAsNobody(t *testing.T) {
	sb := sandbox(t)
	bb, err := testEngine.images.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.MkdirTemp("", "berth-import-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(src) })
	if out, err := exec.Command("cp", "-a", bb.RootDir+"/.", src).CombinedOutput(); err != nil {
		t.Fatalf("copy busybox: %v: %s", err, out)
	}
	if err := os.Chmod(src, 0o700); err != nil { // cp -a copied busybox's 0755
		t.Fatal(err)
	}
	if _, err := testEngine.images.ImportRootfs(src, "fixture-nobody"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = testEngine.images.Remove("fixture-nobody") })
	out := foregroundOK(t, sb, spec.Container{Image: "fixture-nobody", User: "nobody", Cmd: []string{"sh", "-c", "id -u && cat /etc/hostname >/dev/null && echo ok"}})
	if out != "65534\nok\n" {
		t.Errorf("got %q, want 65534 and ok", out)
	}
}
