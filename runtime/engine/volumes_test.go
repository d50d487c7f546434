package engine

import (
	"berth/runtime/backend"
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"berth/runtime/spec"
	"berth/runtime/volume"
)

func TestVolumesAreScopedToTheirSandbox(t *testing.T) {
	a, b := sandbox(t), sandbox(t)
	va, err := a.CreateVolume(ctx(t), "data", backend.VolumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	vb, err := b.CreateVolume(ctx(t), "data", backend.VolumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if va.Mountpoint == vb.Mountpoint {
		t.Fatalf("two sandboxes share the volume %q at %s", "data", va.Mountpoint)
	}
	if va.Name != "data" || va.Inspect()["Name"] != "data" {
		t.Errorf("scenario name = %q, inspect Name = %v; want data", va.Name, va.Inspect()["Name"])
	}
	// A case sees the volumes of its file's top level.
	child := newSandbox(t.Name()+"/case", a)
	if got, err := child.Volume(ctx(t), "data"); err != nil || got.Mountpoint != va.Mountpoint {
		t.Errorf("child sees %v, %v; want the parent's volume", got.Mountpoint, err)
	}
	if err := child.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Volume(ctx(t), "data"); err != nil {
		t.Errorf("closing a case removed its parent's volume: %v", err)
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(va.Mountpoint); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("volume of a closed sandbox still at %s (stat: %v)", va.Mountpoint, err)
	}
}

func TestKeptVolumeOutlivesItsSandbox(t *testing.T) {
	sb := newSandbox(t.Name(), nil)
	v, err := sb.CreateVolume(ctx(t), "berth-test-kept", backend.VolumeOptions{Keep: true, Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = removeStored(t, "berth-test-kept") })
	if err := os.WriteFile(filepath.Join(v.Mountpoint, "db"), []byte("rows"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sb.Close(); err != nil {
		t.Fatal(err)
	}
	next := sandbox(t)
	again, err := next.Volume(ctx(t), "berth-test-kept")
	if err != nil {
		t.Fatalf("a later sandbox does not find the kept volume: %v", err)
	}
	if data, err := os.ReadFile(filepath.Join(again.Mountpoint, "db")); err != nil || string(data) != "rows" {
		t.Errorf("kept data = %q, %v; want rows", data, err)
	}
	if err := removeStored(t, "berth-test-kept"); err != nil {
		t.Fatal(err)
	}
	if _, err := next.Volume(ctx(t), "berth-test-kept"); !errors.Is(err, volume.ErrNotFound) {
		t.Errorf("after rm: %v, want ErrNotFound", err)
	}
}

func TestAnotherRunsPrivateVolumeIsInvisible(t *testing.T) {
	a, b := sandbox(t), sandbox(t)
	va, err := a.CreateVolume(ctx(t), "private", backend.VolumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Volume(ctx(t), va.StoredName); !errors.Is(err, backend.ErrNoSuchVolume) {
		t.Errorf("b finds a's volume by its store name: %v", err)
	}
}

func TestFailedCreateLeavesVolumesAlone(t *testing.T) {
	sb := sandbox(t)
	v, err := sb.CreateVolume(ctx(t), "precious", backend.VolumeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(v.Mountpoint, "table")
	if err := os.WriteFile(data, []byte("rows\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	_, err = sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"}, Mounts: []spec.Mount{
		{Type: spec.MountVolume, Source: "precious", Target: "/data"},
		{Type: spec.MountVolume, Source: "made-implicitly", Target: "/other"},
		{Type: spec.MountVolume, Target: "/anon"},
		{Type: spec.MountBind, Source: missing, Target: "/b"},
	}})
	want := "invalid mount config for type \"bind\": bind source path does not exist: " + missing
	if err == nil || err.Error() != want {
		t.Fatalf("Create = %v, want %q", err, want)
	}
	if got, err := os.ReadFile(data); err != nil || string(got) != "rows\n" {
		t.Errorf("the volume's data after a failed create = %q, %v", got, err)
	}
	vols, err := sb.Volumes(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(vols) != 1 || vols[0].Name != "precious" {
		t.Errorf("volumes after a failed create = %v, want only precious (the implicit and anonymous ones removed)", vols)
	}
	if len(sb.Containers()) != 0 {
		t.Errorf("a failed create left a container")
	}
}

func TestReadFileOfStoppedContainerSeesItsVolumes(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Run(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"sh", "-c", "echo kept > /data/f"},
		Mounts: []spec.Mount{{Type: spec.MountVolume, Source: "stopped", Target: "/data"}}}, backend.RunOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := c.ReadFile(ctx(t), "/data/f")
	if err != nil || string(got) != "kept\n" {
		t.Errorf("ReadFile of an exited container's volume = %q, %v; want kept", got, err)
	}
}

func TestRemoveVolumeInUse(t *testing.T) {
	sb := sandbox(t)
	c, err := sb.Create(ctx(t), spec.Container{Image: "busybox", Cmd: []string{"true"},
		Mounts: []spec.Mount{{Type: spec.MountVolume, Source: "busy", Target: "/data"}}})
	if err != nil {
		t.Fatal(err)
	}
	err = sb.RemoveVolume(ctx(t), "busy", false)
	want := "remove busy: volume is in use - [" + c.ID() + "]"
	if err == nil || err.Error() != want || !errors.Is(err, backend.ErrVolumeInUse) {
		t.Fatalf("RemoveVolume = %v, want %q", err, want)
	}
	if err := sb.RemoveVolume(ctx(t), "nosuchvol", false); err == nil || err.Error() != "get nosuchvol: no such volume" {
		t.Errorf("RemoveVolume(missing) = %v, want get nosuchvol: no such volume", err)
	}
	if err := sb.RemoveVolume(ctx(t), "nosuchvol", true); err != nil {
		t.Errorf("RemoveVolume(missing, force) = %v, want nil", err)
	}
	if err := c.Remove(context.Background(), backend.RemoveOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := sb.RemoveVolume(ctx(t), "busy", false); err != nil {
		t.Errorf("RemoveVolume after the container went: %v", err)
	}
}
