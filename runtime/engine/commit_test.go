package engine

import (
	"slices"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// A committed container's files, deletions and config (with --change
// applied) are in the new image, and its base layers are shared.
func TestCommitRunsTheNewImage(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Env: []string{"FROM_RUN=yes"}, Cmd: []string{"/bin/sh", "-c",
		"mkdir /srv && echo made > /srv/new && ln /srv/new /srv/link && rm /etc/passwd && rm -r /home && mkdir /home && echo only > /home/only"}},
		backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if st := c.State(); st.ExitCode != 0 {
		t.Fatalf("setup exited %d: %q", st.ExitCode, foreground(c).Output)
	}
	img, err := c.Commit(ctx(t), "commit/test:1", backend.CommitOptions{Changes: []string{"ENV A=1", "WORKDIR /srv",
		`CMD ["/bin/sh", "-c", "pwd; cat new link; test -e /etc/passwd || echo no-passwd; ls /home; echo $A $FROM_RUN"]`}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testEngine.Images().Remove(ctx(t), "commit/test:1") })
	if img.RepoTags[0] != "commit/test:1" || img.Config.WorkingDir != "/srv" {
		t.Errorf("image = %v %+v", img.RepoTags, img.Config)
	}
	run, err := sb.Run(ctx(t), spec.Container{Image: "commit/test:1"}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := "/srv\nmade\nmade\nno-passwd\nonly\n1 yes\n"
	if out := foreground(run).Output; out != want {
		t.Errorf("the committed image printed %q, want %q", out, want)
	}
	base, err := testEngine.ImageStore().Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	got, err := testEngine.ImageStore().Get("commit/test:1")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Layers) != len(base.Layers)+1 || !slices.Equal(got.Layers[:len(base.Layers)], base.Layers) {
		t.Errorf("layers = %q, want busybox's %q and one more", got.Layers, base.Layers)
	}
	if _, err := c.Commit(ctx(t), "", backend.CommitOptions{Changes: []string{"FROM x"}}); err == nil {
		t.Error("a commit with the change FROM x succeeded")
	}
}

// A running container is committed as it is, without stopping it: the
// image has what it wrote, and the container keeps running.
func TestCommitRunningContainer(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sleep", "1000"}}, backend.RunOptions{Detach: true})
	if err != nil {
		t.Fatal(err)
	}
	if res, err := c.Exec(ctx(t), backend.ExecOptions{Cmd: []string{"sh", "-c", "echo live > /live.txt"}}); err != nil || res.ExitCode != 0 {
		t.Fatalf("exec: %v %+v", err, res)
	}
	if _, err := c.Commit(ctx(t), "commit/running:1", backend.CommitOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { testEngine.Images().Remove(ctx(t), "commit/running:1") })
	if st := c.State(); st.Status != backend.StatusRunning {
		t.Errorf("after commit the container is %s, want running", st.Status)
	}
	run, err := sb.Run(ctx(t), spec.Container{Image: "commit/running:1", Cmd: []string{"cat", "/live.txt"}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if out := foreground(run).Output; out != "live\n" {
		t.Errorf("the image of the running container has /live.txt = %q, want %q", out, "live\n")
	}
}
