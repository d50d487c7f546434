package backend_test

import (
	"errors"
	"regexp"
	"slices"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/backend/fake"
	"berth/runtime/spec"
)

func TestVolumesAreScopedToTheirSandbox(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	file := newFile(t, sbs)
	v, err := file.CreateVolume(ctx, "data", backend.VolumeOptions{Labels: map[string]string{"a": "b"}})
	if err != nil {
		t.Fatal(err)
	}
	if v.Name != "data" || !regexp.MustCompile(`^sb[0-9a-f]{8}_data$`).MatchString(v.StoredName) {
		t.Errorf("volume %q stored as %q", v.Name, v.StoredName)
	}
	again, err := file.CreateVolume(ctx, "data", backend.VolumeOptions{})
	if err != nil || again.StoredName != v.StoredName {
		t.Errorf("create is not idempotent: %q, %v", again.StoredName, err)
	}
	kept, err := file.CreateVolume(ctx, "keepme", backend.VolumeOptions{Keep: true})
	if err != nil || kept.StoredName != "keepme" {
		t.Fatalf("kept volume stored as %q: %v", kept.StoredName, err)
	}
	anon, err := file.CreateVolume(ctx, "", backend.VolumeOptions{})
	if err != nil || anon.Name != anon.StoredName || len(anon.Name) != 64 {
		t.Fatalf("anonymous volume %+v: %v", anon, err)
	}
	// Another run's private volume is not this scenario's to see.
	other, _, err := b.CreateVolume(ctx, backend.VolumeSpec{Name: "sbdeadbeef_x"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = file.Volume(ctx, other.StoredName)
	wantErr(t, "another run's", err, "get sbdeadbeef_x: no such volume", backend.ErrNoSuchVolume)
	cse, _ := sbs.New("f.star::test_x", file)
	list, err := cse.Volumes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range list {
		names = append(names, v.Name)
	}
	// Sorted by name: where the random anonymous name falls varies.
	if want := slices.Sorted(slices.Values([]string{anon.Name, "data", "keepme"})); !slices.Equal(names, want) {
		t.Errorf("case's volumes %q, want %q", names, want)
	}
	if err := sbs.Close(); err != nil {
		t.Fatal(err)
	}
	left, _ := b.ListVolumes(ctx)
	if len(left) != 2 || left[0].StoredName != "keepme" || left[1].StoredName != "sbdeadbeef_x" {
		t.Errorf("left after close: %+v", left)
	}
}

func TestVolumeNames(t *testing.T) {
	r := newRecorder()
	sbs := backend.NewSandboxes(r)
	closeAll(t, sbs)
	sb := newFile(t, sbs)
	_, err := sb.CreateVolume(ctx, "a", backend.VolumeOptions{})
	wantErr(t, "short", err, "volume name is too short, names should be at least two alphanumeric characters", backend.ErrInvalid)
	_, err = sb.CreateVolume(ctx, "../x", backend.VolumeOptions{})
	wantErr(t, "path", err, `"../x" includes invalid characters for a local volume name`, backend.ErrInvalid)
	before := r.volLookup
	_, err = sb.Volume(ctx, "../x")
	wantErr(t, "lookup of a path", err, "get ../x: no such volume", backend.ErrNoSuchVolume)
	if r.volLookup != before {
		t.Errorf("a name that is no volume name reached the backend")
	}
	if err := sb.RemoveVolume(ctx, "nosuch", true); err != nil {
		t.Errorf("force rm of a missing volume: %v", err)
	}
	wantErr(t, "rm missing", sb.RemoveVolume(ctx, "nosuch", false), "get nosuch: no such volume", backend.ErrNoSuchVolume)
}

func TestAVolumeInUseStays(t *testing.T) {
	b := fake.New()
	sbs := backend.NewSandboxes(b)
	closeAll(t, sbs)
	sb := newFile(t, sbs)
	cs := named("db", "db")
	cs.Mounts = []spec.Mount{{Type: spec.MountVolume, Source: "data", Target: "/data"}}
	c := mustRun(t, sb, cs)
	err := sb.RemoveVolume(ctx, "data", true)
	wantErr(t, "in use", err, "remove data: volume is in use - ["+c.ID()+"]", backend.ErrVolumeInUse)
	if _, err := sb.Volume(ctx, "data"); err != nil {
		t.Errorf("refused rm forgot the volume: %v", err)
	}
	if err := c.Remove(ctx, backend.RemoveOptions{Force: true}); err != nil {
		t.Fatal(err)
	}
	if err := sb.RemoveVolume(ctx, "data", false); err != nil {
		t.Errorf("rm after the container went: %v", err)
	}
	if _, err := sb.Volume(ctx, "data"); !errors.Is(err, backend.ErrNoSuchVolume) {
		t.Errorf("removed volume still found: %v", err)
	}
}
