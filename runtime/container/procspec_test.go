package container

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// rootfs makes a container root with the given files ("" content makes a
// FIFO, as a container may).
func rootfs(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		if content == "" {
			err = syscall.Mkfifo(p, 0o644)
		} else {
			err = os.WriteFile(p, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

const passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n"
const group = "root:x:0:\napp:x:1000:\nextra:x:2000:app\n"

func TestNewProcessUser(t *testing.T) {
	tests := []struct {
		name   string
		files  map[string]string
		user   string
		uid    int
		gid    int
		groups []int
		home   string
		err    string
	}{
		{name: "root by default", files: map[string]string{"etc/passwd": passwd}, home: "/root"},
		{name: "by name", files: map[string]string{"etc/passwd": passwd, "etc/group": group}, user: "app",
			uid: 1000, gid: 1000, groups: []int{2000}, home: "/home/app"},
		{name: "numeric without passwd", user: "42:43", uid: 42, gid: 43, home: "/"},
		{name: "unknown name", files: map[string]string{"etc/passwd": passwd}, user: "nobody",
			err: "unable to find user nobody"},
		{name: "FIFO passwd", files: map[string]string{"etc/passwd": ""}, user: "app",
			err: "unable to find user app: /etc/passwd in the container is not a regular file"},
		{name: "FIFO group", files: map[string]string{"etc/passwd": passwd, "etc/group": ""}, user: "app",
			err: "unable to find user app: /etc/group in the container is not a regular file"},
		{name: "etc is a file", files: map[string]string{"etc": "x"}, user: "0", home: "/"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewProcess(ProcessOptions{Rootfs: rootfs(t, tt.files), Name: "c", User: tt.user})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err %v, want one with %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.UID != tt.uid || p.GID != tt.gid || !slices.Equal(p.Groups, tt.groups) {
				t.Errorf("uid %d gid %d groups %v, want %d %d %v", p.UID, p.GID, p.Groups, tt.uid, tt.gid, tt.groups)
			}
			if want := "HOME=" + tt.home; !reflect.DeepEqual(p.Env, []string{defaultPath, "HOSTNAME=", want}) {
				t.Errorf("env %v, want PATH, HOSTNAME and %s", p.Env, want)
			}
		})
	}
}

func TestNewProcessEnv(t *testing.T) {
	tests := []struct {
		name             string
		link, env, extra []string
		want             []string
	}{
		{name: "defaults", want: []string{defaultPath, "HOSTNAME=h", "HOME=/root"}},
		{name: "layers, each over the ones before",
			link:  []string{"DB_PORT=1", "DB_NAME=/c/db"},
			env:   []string{"A=1", "DB_PORT=2"},
			extra: []string{"A=3", "B=4"},
			want:  []string{defaultPath, "HOSTNAME=h", "HOME=/root", "DB_PORT=2", "DB_NAME=/c/db", "A=3", "B=4"}},
		{name: "own PATH and HOME kept, HOSTNAME always set",
			env:  []string{"PATH=/x", "HOME=/h", "HOSTNAME=mine"},
			want: []string{"HOSTNAME=h", "PATH=/x", "HOME=/h", "HOSTNAME=mine"}},
	}
	root := rootfs(t, map[string]string{"etc/passwd": passwd})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := NewProcess(ProcessOptions{Rootfs: root, Hostname: "h",
				LinkEnv: tt.link, Env: tt.env, ExtraEnv: tt.extra})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(p.Env, tt.want) {
				t.Errorf("env %v\nwant %v", p.Env, tt.want)
			}
		})
	}
}

func TestNewProcessWorkdir(t *testing.T) {
	tests := []struct {
		name, workdir, def, want string
		created                  string // made in the root, "" for none
		err                      string
	}{
		{name: "root by default", want: "/"},
		{name: "default created", def: "/srv/app", want: "/srv/app", created: "srv/app"},
		{name: "given is used as is", workdir: "/nowhere", def: "/srv/app", want: "/nowhere"},
		{name: "default over a file", def: "/etc/passwd/x", err: `create workdir "/etc/passwd/x": not a directory`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := rootfs(t, map[string]string{"etc/passwd": passwd})
			p, err := NewProcess(ProcessOptions{Rootfs: root, Workdir: tt.workdir, DefaultWorkdir: tt.def})
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Cwd != tt.want {
				t.Errorf("cwd %q, want %q", p.Cwd, tt.want)
			}
			entries, _ := os.ReadDir(root)
			if tt.created != "" {
				if st, err := os.Stat(filepath.Join(root, tt.created)); err != nil || !st.IsDir() {
					t.Errorf("workdir not created: %v", err)
				}
			} else if len(entries) != 1 {
				t.Errorf("root has %d entries, want only etc", len(entries))
			}
		})
	}
}

func TestNewProcessStdin(t *testing.T) {
	in := "hello"
	p, err := NewProcess(ProcessOptions{Rootfs: t.TempDir(), Stdin: &in})
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 10)
	if n, _ := p.Stdin.Read(buf); string(buf[:n]) != in {
		t.Errorf("stdin %q, want %q", buf[:n], in)
	}
	if p, _ := NewProcess(ProcessOptions{Rootfs: t.TempDir()}); p.Stdin != nil {
		t.Error("stdin set without one")
	}
}
