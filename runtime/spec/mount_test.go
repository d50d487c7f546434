package spec

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseVolume(t *testing.T) {
	const base = "/scenarios"
	tests := []struct {
		in      string
		want    Mount
		wantErr string
	}{
		{in: "/data", want: Mount{Type: MountVolume, Target: "/data"}},
		{in: "/data:ro", want: Mount{Type: MountVolume, Target: "/data", ReadOnly: true}},
		{in: "mydata:/var/lib/mysql", want: Mount{Type: MountVolume, Source: "mydata", Target: "/var/lib/mysql"}},
		{in: "mydata:/data:ro,nocopy", want: Mount{Type: MountVolume, Source: "mydata", Target: "/data", ReadOnly: true, NoCopy: true}},
		{in: "/home/mysql_db:/var/lib/mysql", want: Mount{Type: MountBind, Source: "/home/mysql_db", Target: "/var/lib/mysql", CreateSource: true}},
		{in: "/etc/hostname:/x:ro", want: Mount{Type: MountBind, Source: "/etc/hostname", Target: "/x", ReadOnly: true, CreateSource: true}},
		{in: "./site:/usr/share/html", want: Mount{Type: MountBind, Source: "/scenarios/site", Target: "/usr/share/html", CreateSource: true}},
		{in: "site/www:/www:rw", want: Mount{Type: MountBind, Source: "/scenarios/site/www", Target: "/www", CreateSource: true}},
		{in: "", wantErr: "invalid volume specification: ''"},
		{in: "a:b:c:d", wantErr: "invalid volume specification: 'a:b:c:d'"},
		{in: ":/data", wantErr: "the host path or volume name before ':' is empty"},
		{in: "/h:/data:bogus", wantErr: "invalid mode: bogus"},
		{in: "/h:/data:ro,rw", wantErr: "invalid mode: ro,rw: ro and rw contradict each other"},
		{in: "/h:/data:nocopy", wantErr: "invalid mode: nocopy: it applies to volumes, not to the bind of /h"},
		{in: "data", wantErr: `invalid mount config for type "volume": invalid mount path: 'data' mount path must be absolute`},
		{in: "/h:rel", wantErr: `invalid mount config for type "bind": invalid mount path: 'rel' mount path must be absolute`},
		{in: "/h:/", wantErr: "invalid specification: destination can't be '/'"},
		{in: "/h:/a/../../etc", wantErr: `invalid mount config for type "bind": invalid mount path: '/a/../../etc' must not contain '..'`},
		{in: "/a/../etc:/x", wantErr: `invalid mount config for type "bind": invalid bind source path: '/a/../etc' must not contain '..'`},
		{in: "x:/data", wantErr: "volume name is too short, names should be at least two alphanumeric characters"},
		{in: "-bad:/data", wantErr: `"-bad" includes invalid characters for a local volume name`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseVolume(tt.in, base)
			if tt.wantErr != "" {
				if err == nil || !contains(err.Error(), tt.wantErr) {
					t.Fatalf("ParseVolume(%q) error = %v, want %q", tt.in, err, tt.wantErr)
				}
				if !errors.Is(err, ErrInvalid) {
					t.Errorf("error %v does not wrap ErrInvalid", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("ParseVolume(%q): %v", tt.in, err)
			}
			tt.want.Spec = tt.in
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("ParseVolume(%q) (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestMountValidate(t *testing.T) {
	tests := []struct {
		name string
		m    Mount
		want string
	}{
		{"tmpfs", Mount{Type: MountTmpfs, Target: "/run", Size: 64 << 20}, ""},
		{"tmpfs with source", Mount{Type: MountTmpfs, Source: "/x", Target: "/run"}, `invalid mount config for type "tmpfs": source must not be specified`},
		{"bind without source", Mount{Type: MountBind, Target: "/x"}, `invalid mount config for type "bind": field Source must not be empty`},
		{"no target", Mount{Type: MountVolume}, `invalid mount config for type "volume": field Target must not be empty`},
		{"bad type", Mount{Type: "nfs", Target: "/x"}, `invalid mount type "nfs"`},
		{"size on a bind", Mount{Type: MountBind, Source: "/h", Target: "/x", Size: 1}, "size and mode apply to tmpfs only"},
		{"nocopy on tmpfs", Mount{Type: MountTmpfs, Target: "/x", NoCopy: true}, "nocopy applies to volumes only"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.m.Validate()
			if tt.want == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if err == nil || !contains(err.Error(), tt.want) {
				t.Fatalf("Validate error = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestDuplicateMountPoint(t *testing.T) {
	c := Container{Image: "busybox", Mounts: []Mount{
		{Type: MountVolume, Target: "/data"},
		{Type: MountTmpfs, Target: "/data/"},
	}}
	err := c.Validate(Host{NumCPU: 1})
	if err == nil || err.Error() != "Duplicate mount point: /data" {
		t.Fatalf("Validate = %v, want Duplicate mount point: /data", err)
	}
}

func TestParseVolumesFrom(t *testing.T) {
	tests := []struct{ in, name, mode, err string }{
		{in: "data", name: "data"},
		{in: "data:ro", name: "data", mode: "ro"},
		{in: "data:rw", name: "data", mode: "rw"},
		{in: "data:bogus", err: "invalid mode: bogus"},
		{in: ":ro", err: `invalid volumes_from ":ro"`},
	}
	for _, tt := range tests {
		name, mode, err := ParseVolumesFrom(tt.in)
		if tt.err != "" {
			if err == nil || !contains(err.Error(), tt.err) {
				t.Errorf("ParseVolumesFrom(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || name != tt.name || mode != tt.mode {
			t.Errorf("ParseVolumesFrom(%q) = %q, %q, %v; want %q, %q", tt.in, name, mode, err, tt.name, tt.mode)
		}
	}
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
