package container

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"berth/runtime/spec"

	"github.com/google/go-cmp/cmp"
	"github.com/opencontainers/cgroups"
	specs "github.com/opencontainers/runtime-spec/specs-go"
)

func TestHierarchiesOf(t *testing.T) {
	tests := []struct {
		name   string
		mounts []cgroups.Mount
		own    map[string]string // /proc/self/cgroup
		want   []viewHierarchy
	}{
		{
			name: "one controller per hierarchy, as on this VM",
			mounts: []cgroups.Mount{
				{Mountpoint: "/sys/fs/cgroup/cpu", Subsystems: []string{"cpu"}},
				{Mountpoint: "/sys/fs/cgroup/memory", Subsystems: []string{"memory"}},
			},
			own:  map[string]string{"cpu": "/", "memory": "/"},
			want: []viewHierarchy{{Dir: "cpu", Data: "cpu"}, {Dir: "memory", Data: "memory"}},
		},
		{
			name: "co-mounted controllers get a symlink each, as under Docker",
			mounts: []cgroups.Mount{
				{Mountpoint: "/sys/fs/cgroup/cpu,cpuacct", Subsystems: []string{"cpu", "cpuacct"}},
				{Mountpoint: "/sys/fs/cgroup/net_cls,net_prio", Subsystems: []string{"net_cls", "net_prio"}},
			},
			own: map[string]string{"cpu": "/", "cpuacct": "/", "net_cls": "/", "net_prio": "/"},
			want: []viewHierarchy{
				{Dir: "cpu,cpuacct", Data: "cpu,cpuacct", Aliases: []string{"cpu", "cpuacct"}},
				{Dir: "net_cls,net_prio", Data: "net_cls,net_prio", Aliases: []string{"net_cls", "net_prio"}},
			},
		},
		{
			name:   "a named hierarchy is mounted by name",
			mounts: []cgroups.Mount{{Mountpoint: "/sys/fs/cgroup/systemd", Subsystems: []string{"systemd"}}},
			own:    map[string]string{"name=systemd": "/user.slice"},
			want:   []viewHierarchy{{Dir: "systemd", Data: "name=systemd"}},
		},
		{
			name:   "a controller called like a name stays a controller",
			mounts: []cgroups.Mount{{Mountpoint: "/sys/fs/cgroup/pids", Subsystems: []string{"pids"}}},
			own:    map[string]string{"pids": "/", "name=pids": "/"},
			want:   []viewHierarchy{{Dir: "pids", Data: "pids"}},
		},
		{name: "no v1 hierarchies", own: map[string]string{}, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, hierarchiesOf(tt.mounts, tt.own)); diff != "" {
				t.Errorf("hierarchiesOf (-want +got):\n%s", diff)
			}
		})
	}
}

// skipUnlessV1 skips a test of berth's own v1 view on a cgroup v2 host,
// where runc mounts cgroup2 instead.
func skipUnlessV1(t *testing.T) {
	t.Helper()
	if cgroups.IsCgroup2UnifiedMode() {
		t.Skip("the host is on cgroup v2: runc mounts the view")
	}
}

// The view as Docker shows it on v1: a read-only tmpfs with each host
// hierarchy read-only at its name, the container's cgroup as the root.
// The image cannot steer where it goes: /sys is runc's sysfs (runc refuses
// sysfs on a symlink), or, with the host's network, the host's /sys bound
// read-only, whose mounts are the container's slaves: the view on top must
// not reach the host.
func TestCgroupViewV1(t *testing.T) {
	r := newRuntime(t)
	skipUnlessV1(t)
	hs, err := viewHierarchies()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, h := range hs {
		want = append(want, h.Dir)
		want = append(want, h.Aliases...)
	}
	slices.Sort(want)
	// The host's mounts under /sys: tests of other packages running in
	// parallel mount and unmount elsewhere.
	hostMounts := func() string {
		data, err := os.ReadFile("/proc/self/mountinfo")
		if err != nil {
			t.Fatal(err)
		}
		var sys []string
		for _, l := range strings.Split(string(data), "\n") {
			if f := strings.Fields(l); len(f) > 4 && (f[4] == "/sys" || strings.HasPrefix(f[4], "/sys/")) {
				sys = append(sys, l)
			}
		}
		if len(sys) == 0 {
			t.Fatal("no mounts under /sys in /proc/self/mountinfo")
		}
		return strings.Join(sys, "\n")
	}
	tests := []struct {
		name string
		net  NetMode
	}{
		{"its own network", NetPrivate},
		{"the host's network and /sys", NetHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := hostMounts()
			cfg := &Config{ID: newID(t), Rootfs: testRootfs(t), Net: tt.net, CgroupView: true, Resources: spec.Resources{PidsLimit: 42}}
			out, exit := run(t, r, cfg, "sh", "-c",
				"ls /sys/fs/cgroup | tr '\\n' ' '; echo; cat /sys/fs/cgroup/pids/pids.max; "+
					"mkdir /sys/fs/cgroup/x 2>&1; echo 1 > /sys/fs/cgroup/pids/pids.max 2>&1; grep -c ' /sys/fs/cgroup/[^ ]* ro,' /proc/self/mountinfo")
			lines := strings.Split(out, "\n")
			if exit.Code != 0 || len(lines) < 5 {
				t.Fatalf("exit %d, output %q", exit.Code, out)
			}
			if got := strings.Fields(lines[0]); !slices.Equal(got, want) {
				t.Errorf("/sys/fs/cgroup holds %q, want %q", got, want)
			}
			if lines[1] != "42" {
				t.Errorf("pids.max inside %q, want 42: the container's own cgroup is not the root", lines[1])
			}
			for _, l := range lines[2:4] {
				if !strings.Contains(l, "Read-only file system") {
					t.Errorf("a write to the view: %q, want Read-only file system", l)
				}
			}
			if lines[4] != strconv.Itoa(len(hs)) {
				t.Errorf("%s read-only hierarchies in mountinfo, want %d", lines[4], len(hs))
			}
			if after := hostMounts(); after != before {
				t.Errorf("the host's mounts under /sys changed:\nbefore:\n%s\nafter:\n%s", before, after)
			}
		})
	}
}

// A view that cannot be mounted fails the start with the hierarchy's
// name, and leaves neither the init, nor its cgroup, nor runc's state.
func TestCgroupViewFailureLeavesNothing(t *testing.T) {
	r := newRuntime(t)
	skipUnlessV1(t)
	saved := viewHierarchies
	t.Cleanup(func() { viewHierarchies = saved })
	viewHierarchies = func() ([]viewHierarchy, error) {
		return []viewHierarchy{{Dir: "memory", Data: "memory"}, {Dir: "bogus", Data: "no_such_controller"}}, nil
	}
	id := newID(t)
	_, err := r.Start(&Config{ID: id, Rootfs: testRootfs(t), CgroupView: true, Resources: spec.Resources{PidsLimit: 42}},
		&Process{Args: []string{"true"}, Env: []string{"PATH=/bin"}})
	if err == nil || !strings.Contains(err.Error(), "no_such_controller") || !strings.Contains(err.Error(), "/sys/fs/cgroup/bogus") {
		t.Fatalf("start: %v, want an error naming no_such_controller at /sys/fs/cgroup/bogus", err)
	}
	if _, err := os.Stat(filepath.Join(CgroupRoot, "pids", CgroupPath(id))); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the container's pids cgroup is left: %v", err)
	}
	if _, err := os.Stat(filepath.Join(r.stateRoot, id)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("runc's state is left: %v", err)
	}
}

// The view's configuration on both cgroup versions: a cgroup namespace
// always; on v2 runc's one read-only cgroup2 mount, on v1 no mount in the
// configuration (Start mounts it); never a read-only path (v2's mount is
// read-only itself, and v1's tmpfs is made read-only before it is
// attached).
func TestCgroupViewConfig(t *testing.T) {
	saved := unifiedMode
	t.Cleanup(func() { unifiedMode = saved })
	tests := []struct {
		name      string
		v2, view  bool
		wantNS    bool
		wantMount bool
	}{
		{"v1 with the view", false, true, true, false},
		{"v2 with the view", true, true, true, true},
		{"v1 without", false, false, false, false},
		{"v2 without", true, false, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			unifiedMode = func() bool { return tt.v2 }
			s, err := ociSpec(&Config{ID: "x", Rootfs: "/nonexistent", CgroupView: tt.view})
			if err != nil {
				t.Fatal(err)
			}
			hasNS := slices.ContainsFunc(s.Linux.Namespaces, func(ns specs.LinuxNamespace) bool { return ns.Type == specs.CgroupNamespace })
			if hasNS != tt.wantNS {
				t.Errorf("cgroup namespace: %v, want %v", hasNS, tt.wantNS)
			}
			var view []specs.Mount
			for _, m := range s.Mounts {
				if m.Destination == "/sys/fs/cgroup" {
					view = append(view, m)
				}
			}
			switch {
			case !tt.wantMount && len(view) != 0:
				t.Errorf("mounts at /sys/fs/cgroup: %+v, want none", view)
			case tt.wantMount && (len(view) != 1 || view[0].Type != "cgroup" || !slices.Contains(view[0].Options, "ro")):
				t.Errorf("mounts at /sys/fs/cgroup: %+v, want one read-only cgroup mount", view)
			}
			if slices.Contains(s.Linux.ReadonlyPaths, "/sys/fs/cgroup") {
				t.Errorf("/sys/fs/cgroup is a read-only path: %q", s.Linux.ReadonlyPaths)
			}
		})
	}
}
