package fake_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
)

func TestImages(t *testing.T) {
	b, _ := setup(t)
	im := b.Images()
	bb, err := im.Get(ctx, "docker.io/library/busybox")
	if err != nil || !slices.Equal(bb.RepoTags, []string{"busybox:latest"}) {
		t.Fatalf("busybox: %+v, %v", bb, err)
	}
	if got, err := im.Get(ctx, bb.ID[7:19]); err != nil || got.ID != bb.ID {
		t.Errorf("by id prefix: %v", err)
	}
	_, err = im.Get(ctx, "nosuch")
	wantError(t, "missing", err, "No such image: nosuch:latest", backend.ErrNoSuchImage)
	_, err = im.Get(ctx, "Bad Ref")
	wantError(t, "bad ref", err, `invalid image reference "Bad Ref": repository name must be lowercase`, nil)

	if err := im.Tag(ctx, "busybox", "mine:1"); err != nil {
		t.Fatal(err)
	}
	wantError(t, "rm by id with two tags", im.Remove(ctx, bb.ID), "image is referenced in multiple repositories", backend.ErrImageConflict)
	if err := im.Remove(ctx, "mine:1"); err != nil {
		t.Fatal(err)
	}
	if list, _ := im.List(ctx); len(list) != 1 {
		t.Errorf("untag removed the image: %v", list)
	}
	imp, err := im.ImportRootfs(ctx, "/some/dir", "rootfs:v1")
	if err != nil || !slices.Equal(imp.RepoTags, []string{"rootfs:v1"}) {
		t.Fatalf("ImportRootfs = %+v, %v", imp, err)
	}
	if err := im.Remove(ctx, "rootfs:v1"); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Get(ctx, imp.ID); err == nil {
		t.Errorf("the last tag's removal left the image")
	}
}

func TestImageInUseIsKept(t *testing.T) {
	b, sb := setup(t)
	run(t, sb, busybox("sleep", "3600"))
	wantError(t, "rm busybox", b.Images().Remove(ctx, "busybox"), "a container is using its referenced image", backend.ErrImageConflict)
	rep, err := b.Images().Prune(ctx, backend.PruneOptions{All: true})
	if err != nil || len(rep.Deleted) != 0 {
		t.Errorf("prune removed a used image: %+v, %v", rep, err)
	}
}

func TestSaveLoadPullPushPrune(t *testing.T) {
	b, _ := setup(t)
	im := b.Images().(*fake.Images)
	var buf bytes.Buffer
	if err := im.Save(ctx, []string{"busybox"}, &buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "save.json")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	other := fake.New()
	if err := other.Images().Remove(ctx, "busybox"); err != nil {
		t.Fatal(err)
	}
	loaded, err := other.Images().Load(ctx, path)
	if err != nil || len(loaded) != 1 || !slices.Equal(loaded[0].RepoTags, []string{"busybox:latest"}) {
		t.Errorf("Load = %+v, %v", loaded, err)
	}
	if _, err := other.Images().Load(ctx, "/nonexistent"); err == nil {
		t.Errorf("Load of a missing file worked")
	}

	_, err = im.Pull(ctx, "redis", backend.PullOptions{})
	wantError(t, "pull unknown", err, "pull access denied for redis, repository does not exist", backend.ErrNoSuchImage)
	if err := im.Push(ctx, "busybox", backend.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, ok := im.RegistryImage("busybox:latest"); !ok {
		t.Errorf("push did not reach the registry")
	}
	if err := im.SetRegistryImage("redis:7", backend.ImageInfo{ID: "sha256:" + string(bytes.Repeat([]byte("7"), 64)), Size: 10}); err != nil {
		t.Fatal(err)
	}
	redis, err := im.Pull(ctx, "redis:7", backend.PullOptions{})
	if err != nil || !slices.Equal(redis.RepoTags, []string{"redis:7"}) {
		t.Fatalf("Pull = %+v, %v", redis, err)
	}
	if err := im.Remove(ctx, "redis:7"); err != nil {
		t.Fatal(err)
	}
	if rep, _ := im.Prune(ctx, backend.PruneOptions{}); len(rep.Deleted) != 0 {
		t.Errorf("prune of dangling removed a tagged image: %v", rep)
	}
	rep, err := im.Prune(ctx, backend.PruneOptions{All: true})
	if err != nil || len(rep.Deleted) != 1 || rep.SpaceReclaimed != 1<<20 {
		t.Errorf("Prune(All) = %+v, %v", rep, err)
	}
}

func TestCommitUpdateStats(t *testing.T) {
	b, sb := setup(t)
	cs := busybox("serve")
	cs.Env = []string{"A=1"}
	c := run(t, sb, cs)
	img, err := c.Commit(ctx, "snap:1", backend.CommitOptions{Changes: []string{"ENV B=2", `CMD ["other"]`}})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(img.Config.Env, []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "A=1", "B=2"}) ||
		!slices.Equal(img.Config.Cmd, []string{"other"}) || !slices.Equal(img.RepoTags, []string{"snap:1"}) {
		t.Errorf("committed %+v", img)
	}
	if got, err := b.Images().Get(ctx, "snap:1"); err != nil || got.ID != img.ID {
		t.Errorf("the commit is not in the store: %v", err)
	}

	small, big, unlimited := int64(4<<20), int64(64<<20), int64(-1)
	wantError(t, "update below the minimum", c.Update(ctx, backend.ResourcesPatch{Memory: &small, MemorySwap: &unlimited}), "Minimum memory limit allowed is 6MB", backend.ErrInvalid)
	wantError(t, "memory without swap on a container without memory", c.Update(ctx, backend.ResourcesPatch{Memory: &big}),
		"Memory limit should be smaller than already set memoryswap limit", backend.ErrInvalid)
	wantError(t, "empty update", c.Update(ctx, backend.ResourcesPatch{}), "you must provide one or more flags", backend.ErrInvalid)
	if err := c.Update(ctx, backend.ResourcesPatch{Memory: &big, MemorySwap: &unlimited}); err != nil || c.Limits().Memory != big {
		t.Errorf("Update: %v, memory %d", err, c.Limits().Memory)
	}
	if hc := mustInspect(t, c)["HostConfig"].(map[string]any); hc["Memory"] != big {
		t.Errorf("inspect shows memory %v", hc["Memory"])
	}

	c.SetStats(backend.Stats{MemoryUsage: 5, Pids: 2})
	st, err := c.Stats(ctx)
	if err != nil || st.MemoryUsage != 5 || st.Pids != 2 || st.Read.IsZero() {
		t.Errorf("Stats = %+v, %v", st, err)
	}
	c.Exit(0)
	if st, err = c.Stats(ctx); err != nil || st.MemoryUsage != 0 || st.Pids != 0 || st.Read.IsZero() {
		t.Errorf("stats of a stopped container: %+v, %v; want zeros", st, err)
	}
}
