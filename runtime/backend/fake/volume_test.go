package fake_test

import (
	"regexp"
	"slices"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// names lists the stored volumes of b.
func storedVolumes(t *testing.T, b backend.Backend) []string {
	t.Helper()
	list, err := b.ListVolumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range list {
		names = append(names, v.StoredName)
	}
	return names
}

func TestMountsMakeTheirVolumes(t *testing.T) {
	b, sb := setup(t)
	cs := busybox("app")
	cs.Mounts = []spec.Mount{
		{Type: spec.MountVolume, Source: "data", Target: "/data"},
		{Type: spec.MountVolume, Target: "/cache"},
		{Type: spec.MountBind, Source: "/srv/www", Target: "/www", Spec: "/srv/www:/www"},
	}
	c := run(t, sb, cs)
	data, err := sb.Volume(ctx, "data")
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^sb[0-9a-f]{8}_data$`).MatchString(data.StoredName) {
		t.Errorf("stored name %q", data.StoredName)
	}
	mounts := mustInspect(t, c)["Mounts"].([]any)
	if len(mounts) != 3 {
		t.Fatalf("Mounts = %v", mounts)
	}
	// Equal depths keep the order given.
	if m := mounts[0].(map[string]any); m["Name"] != "data" || m["Destination"] != "/data" {
		t.Errorf("first mount %v", m)
	}
	if m := mounts[1].(map[string]any); !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(m["Name"].(string)) {
		t.Errorf("anonymous mount %v", m)
	}
	if binds := mustInspect(t, c)["HostConfig"].(map[string]any)["Binds"]; !slices.Equal(binds.([]any), []any{"/srv/www:/www"}) {
		t.Errorf("Binds = %v", binds)
	}
	all := storedVolumes(t, b)
	if len(all) != 2 {
		t.Fatalf("volumes = %v", all)
	}
	var anonName string
	for _, v := range all {
		if v != data.StoredName {
			anonName = v
		}
	}
	av, _ := b.Volume(ctx, anonName)
	if _, ok := av.Labels["com.docker.volume.anonymous"]; !ok || !av.Anonymous || len(anonName) != 64 {
		t.Errorf("anonymous volume %+v", av)
	}
	wantError(t, "rm in use", sb.RemoveVolume(ctx, "data", true), "remove data: volume is in use - ["+c.ID()+"]", backend.ErrVolumeInUse)
	// rm -v takes the anonymous volume, never the named one.
	if err := c.Remove(ctx, backend.RemoveOptions{Force: true, Volumes: true}); err != nil {
		t.Fatal(err)
	}
	if got := storedVolumes(t, b); !slices.Equal(got, []string{data.StoredName}) {
		t.Errorf("after rm -v: %v", got)
	}
}

func TestForegroundRunTakesItsAnonymousVolumes(t *testing.T) {
	b, sb := setup(t)
	cs := busybox("true")
	cs.Mounts = []spec.Mount{{Type: spec.MountVolume, Target: "/tmp/x"}}
	b.SetProgram("true", fakeExits(0))
	c, err := sb.Run(ctx, cs, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(storedVolumes(t, b)) != 1 {
		t.Fatalf("no anonymous volume")
	}
	if err := c.Remove(ctx, backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := storedVolumes(t, b); len(got) != 0 {
		t.Errorf("left %v", got)
	}
}

func TestVolumesFrom(t *testing.T) {
	_, sb := setup(t)
	cs := busybox("db")
	cs.Name = "db"
	cs.Mounts = []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}, {Type: spec.MountTmpfs, Target: "/run"}}
	run(t, sb, cs)
	cs = busybox("backup")
	cs.VolumesFrom = []string{"db:ro"}
	c := run(t, sb, cs)
	mounts := mustInspect(t, c)["Mounts"].([]any)
	if len(mounts) != 1 {
		t.Fatalf("inherited %v", mounts)
	}
	if m := mounts[0].(map[string]any); m["Name"] != "data" || m["RW"] != false || m["Mode"] != "ro" {
		t.Errorf("mount = %v", m)
	}
	cs.VolumesFrom = []string{"nosuch"}
	_, err := sb.Create(ctx, cs)
	wantError(t, "volumes_from a missing container", err, "No such container: nosuch", backend.ErrNoSuchContainer)
}

func TestPruneKeepsTheRunsVolumes(t *testing.T) {
	b, sb := setup(t)
	if _, err := sb.CreateVolume(ctx, "kept", backend.VolumeOptions{Keep: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := sb.CreateVolume(ctx, "mine", backend.VolumeOptions{}); err != nil {
		t.Fatal(err)
	}
	removed, _, err := b.PruneVolumes(ctx)
	if err != nil || !slices.Equal(removed, []string{"kept"}) {
		t.Errorf("PruneVolumes = %v, %v", removed, err)
	}
	_, _, err = b.CreateVolume(ctx, backend.VolumeSpec{Name: "a"})
	wantError(t, "bad name", err, "create a: volume name is too short", backend.ErrInvalid)
	wantError(t, "missing", b.RemoveVolume(ctx, "nosuch", "shown"), "get shown: no such volume", backend.ErrNoSuchVolume)
}
