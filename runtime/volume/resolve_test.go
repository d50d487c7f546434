package volume

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// storeScope is a sandbox that names volumes as the store does.
type storeScope struct {
	s       *Store
	removed []string
}

func (f *storeScope) Volume(_ context.Context, name string) (backend.VolumeInfo, error) {
	v, err := f.s.Get(name)
	if errors.Is(err, ErrNotFound) {
		return backend.VolumeInfo{}, backend.ErrNoSuchVolume
	}
	return backend.VolumeInfo{Name: v.Name, StoredName: v.Name, Mountpoint: v.Mountpoint}, err
}

func (f *storeScope) CreateVolume(_ context.Context, name string, _ backend.VolumeOptions) (backend.VolumeInfo, error) {
	v, _, err := f.s.Create(name, CreateOptions{Anonymous: name == ""})
	return backend.VolumeInfo{Name: v.Name, StoredName: v.Name, Mountpoint: v.Mountpoint}, err
}

func (f *storeScope) RemoveVolume(_ context.Context, name string, _ bool) error {
	f.removed = append(f.removed, name)
	return f.s.Remove(name, nil)
}

func newResolver(t *testing.T, others map[string][]MountPoint) (*Resolver, *storeScope) {
	t.Helper()
	scope := &storeScope{s: newStore(t)}
	rootfs := t.TempDir()
	writeFile(t, filepath.Join(rootfs, "data", "from-image"), "image", 0o644)
	return &Resolver{Store: scope.s, Scope: scope, Rootfs: rootfs, Image: "img",
		MountsOf: func(ref string) (string, []MountPoint, error) {
			mps, ok := others[ref]
			if !ok {
				return "", nil, errors.New("no such container: " + ref)
			}
			return ref, mps, nil
		}}, scope
}

func TestResolveCopiesUpAndSortsParentsFirst(t *testing.T) {
	r, _ := newResolver(t, nil)
	bind := t.TempDir()
	mps, created, err := r.Resolve(context.Background(), []spec.Mount{
		{Type: spec.MountBind, Source: bind, Target: "/data/logs/x"},
		{Type: spec.MountVolume, Source: "named", Target: "/data"},
		{Type: spec.MountTmpfs, Target: "/data/logs"},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(created, []string{"named"}) {
		t.Errorf("created %v, want [named]", created)
	}
	var targets []string
	for _, mp := range mps {
		targets = append(targets, mp.Target)
	}
	if want := []string{"/data", "/data/logs", "/data/logs/x"}; !reflect.DeepEqual(targets, want) {
		t.Errorf("targets %v, want %v", targets, want)
	}
	if mps[0].Name != "named" || mps[0].Stored != "named" || mps[2].Host != bind {
		t.Errorf("mount points %+v", mps)
	}
	if data, err := os.ReadFile(filepath.Join(mps[0].Host, "from-image")); err != nil || string(data) != "image" {
		t.Errorf("copy-up: %q, %v", data, err)
	}
}

// A failed resolve removes the volumes it created, and only those.
func TestResolveFailureRemovesTheVolumesItCreated(t *testing.T) {
	r, scope := newResolver(t, nil)
	if _, _, err := scope.s.Create("old", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	_, _, err := r.Resolve(context.Background(), []spec.Mount{
		{Type: spec.MountVolume, Source: "old", Target: "/old"},
		{Type: spec.MountVolume, Source: "new", Target: "/new"},
		{Type: spec.MountBind, Source: missing, Target: "/b"},
	}, nil)
	want := `invalid mount config for type "bind": bind source path does not exist: ` + missing
	if err == nil || err.Error() != want || !errors.Is(err, spec.ErrInvalid) {
		t.Fatalf("err %v, want %q (ErrInvalid)", err, want)
	}
	if !reflect.DeepEqual(scope.removed, []string{"new"}) {
		t.Errorf("removed %v, want [new]", scope.removed)
	}
}

func TestResolveVolumesFrom(t *testing.T) {
	theirs := []MountPoint{
		{Mount: spec.Mount{Type: spec.MountBind, Target: "/shared"}, Host: "/h/shared"},
		{Mount: spec.Mount{Type: spec.MountBind, Target: "/mine/"}, Host: "/h/theirs"},
		{Mount: spec.Mount{Type: spec.MountTmpfs, Target: "/tmp"}},
		{Mount: spec.Mount{Type: spec.MountVolume, Target: "/ro", ReadOnly: true}, Host: "/h/ro"},
	}
	tests := []struct {
		arg      string
		readOnly []bool // of /ro and /shared, in that order
		err      string
	}{
		{arg: "src", readOnly: []bool{true, false}},
		{arg: "src:ro", readOnly: []bool{true, true}},
		{arg: "src:rw", readOnly: []bool{false, false}},
		{arg: "gone", err: "no such container: gone"},
		{arg: "src:xx", err: "xx"},
	}
	for _, tt := range tests {
		t.Run(tt.arg, func(t *testing.T) {
			r, _ := newResolver(t, map[string][]MountPoint{"src": theirs})
			mine := t.TempDir()
			mps, _, err := r.Resolve(context.Background(),
				[]spec.Mount{{Type: spec.MountBind, Source: mine, Target: "/mine"}}, []string{tt.arg})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one naming %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]MountPoint{}
			for _, mp := range mps {
				got[mp.Target] = mp
			}
			if len(mps) != 3 || got["/mine"].Host != mine || got["/mine"].FromContainer != "" {
				t.Fatalf("own target and tmpfs not left out: %+v", mps)
			}
			for i, target := range []string{"/ro", "/shared"} {
				if mp := got[target]; mp.ReadOnly != tt.readOnly[i] || mp.FromContainer != "src" {
					t.Errorf("%s: read-only %v from %q, want %v from src", target, mp.ReadOnly, mp.FromContainer, tt.readOnly[i])
				}
			}
		})
	}
}

func TestPrepareBindSource(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name   string
		mount  spec.Mount
		err    bool
		exists bool
	}{
		{"existing", spec.Mount{Source: dir}, false, true},
		{"-v creates", spec.Mount{Source: filepath.Join(dir, "a", "b"), CreateSource: true}, false, true},
		{"--mount refuses", spec.Mount{Source: filepath.Join(dir, "c")}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := prepareBindSource(tt.mount)
			if (err != nil) != tt.err {
				t.Fatalf("err %v, want error %v", err, tt.err)
			}
			st, statErr := os.Stat(tt.mount.Source)
			if (statErr == nil) != tt.exists {
				t.Fatalf("source exists: %v, want %v", statErr == nil, tt.exists)
			}
			if tt.exists && (!st.IsDir() || st.Mode().Perm() != 0o755 && tt.mount.CreateSource) {
				t.Errorf("source %v", st.Mode())
			}
		})
	}
}

func TestHostPath(t *testing.T) {
	mps := []MountPoint{
		{Mount: spec.Mount{Type: spec.MountVolume, Target: "/data"}, Host: "/v/data"},
		{Mount: spec.Mount{Type: spec.MountBind, Target: "/data/logs/"}, Host: "/b/logs"},
		{Mount: spec.Mount{Type: spec.MountTmpfs, Target: "/data/tmp"}},
	}
	tests := []struct {
		path, host, rest string
		ok               bool
	}{
		{"/data", "/v/data", "", true},
		{"/data/x/../f", "/v/data", "/f", true},
		{"/data/logs/a", "/b/logs", "/a", true},
		{"/data/tmp/a", "/v/data", "/tmp/a", true},
		{"/datax", "", "", false},
		{"/etc", "", "", false},
	}
	for _, tt := range tests {
		host, rest, ok := HostPath(mps, tt.path)
		if host != tt.host || rest != tt.rest || ok != tt.ok {
			t.Errorf("HostPath(%s) = %q %q %v, want %q %q %v", tt.path, host, rest, ok, tt.host, tt.rest, tt.ok)
		}
	}
}

func TestStoredNamesAndDocs(t *testing.T) {
	mps := []MountPoint{
		{Mount: spec.Mount{Type: spec.MountVolume, Target: "/a"}, Name: "a", Stored: "s_a", Host: "/v/a"},
		{Mount: spec.Mount{Type: spec.MountVolume, Target: "/b", ReadOnly: true}, Name: "a", Stored: "s_a", Host: "/v/a"},
		{Mount: spec.Mount{Type: spec.MountBind, Target: "/c"}, Host: "/h/c"},
	}
	if got := StoredNames(mps); !reflect.DeepEqual(got, []string{"s_a"}) {
		t.Errorf("StoredNames = %v", got)
	}
	docs := InspectMounts(mps)
	want := []any{
		map[string]any{"Type": "volume", "Source": "/v/a", "Destination": "/a", "Mode": "z", "RW": true, "Propagation": "", "Name": "a", "Driver": "local"},
		map[string]any{"Type": "volume", "Source": "/v/a", "Destination": "/b", "Mode": "ro", "RW": false, "Propagation": "", "Name": "a", "Driver": "local"},
		map[string]any{"Type": "bind", "Source": "/h/c", "Destination": "/c", "Mode": "", "RW": true, "Propagation": "rprivate"},
	}
	if !reflect.DeepEqual(docs, want) {
		t.Errorf("InspectMounts = %v\nwant %v", docs, want)
	}
	binds, mounts := HostConfigMounts([]spec.Mount{
		{Type: spec.MountBind, Source: "/h", Target: "/c", Spec: "/h:/c"},
		{Type: spec.MountTmpfs, Target: "/t", ReadOnly: true},
	})
	wantMounts := []any{map[string]any{"Type": "tmpfs", "Source": "", "Target": "/t", "ReadOnly": true}}
	if !reflect.DeepEqual(binds, []any{"/h:/c"}) || !reflect.DeepEqual(mounts, wantMounts) {
		t.Errorf("HostConfigMounts = %v, %v", binds, mounts)
	}
}
