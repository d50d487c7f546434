package image

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
)

func TestBusyboxBuiltOnFirstUse(t *testing.T) {
	s := openStore(t)
	img, err := s.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if len(img.Layers) != 1 || img.RootDir != "" {
		t.Fatalf("busybox has layers %q and flat root %q, want one layer in the layer store", img.Layers, img.RootDir)
	}
	for _, ref := range []string{"busybox:latest", "docker.io/library/busybox:latest", img.ID, img.ID[7:19]} {
		other, err := s.Get(ref)
		if err != nil {
			t.Fatalf("Get(%q): %v", ref, err)
		}
		if other.ID != img.ID || !slices.Equal(other.Layers, img.Layers) {
			t.Errorf("Get(%q) = %s, want the same image as Get(\"busybox\") = %s", ref, other.ID, img.ID)
		}
	}
	if !slices.Equal(img.RepoTags, []string{"busybox:latest"}) {
		t.Errorf("RepoTags = %q", img.RepoTags)
	}
	if !slices.Equal(img.Config.Env, []string{DefaultPath}) || !slices.Equal(img.Config.Cmd, []string{"sh"}) {
		t.Errorf("Config = %+v, want Docker's PATH and Cmd [sh]", img.Config)
	}
	if img.Size <= 0 {
		t.Errorf("Size = %d", img.Size)
	}
	if got := configID([]byte(readString(t, filepath.Join(s.dir, strings.TrimPrefix(img.ID, "sha256:"), configName)))); got != img.ID {
		t.Errorf("ID %s is not the sha256 of config.json (%s)", img.ID, got)
	}

	bb, err := os.Stat(filepath.Join(img.Layers[0], "bin/busybox"))
	if err != nil {
		t.Fatal(err)
	}
	list, err := exec.Command(hostBusybox, "--list-full").Output()
	if err != nil {
		t.Fatal(err)
	}
	applets := strings.Fields(string(list))
	if len(applets) < 100 {
		t.Fatalf("busybox --list-full gave only %d applets", len(applets))
	}
	for _, a := range applets {
		for _, p := range []string{a, "bin/" + filepath.Base(a)} {
			fi, err := os.Stat(filepath.Join(img.Layers[0], p))
			if err != nil || !os.SameFile(fi, bb) {
				t.Errorf("/%s is not a link to /bin/busybox (err=%v)", p, err)
			}
		}
	}
	modes := map[string]os.FileMode{"tmp": os.ModeDir | os.ModeSticky | 0o777, "root": os.ModeDir | 0o700, "bin/busybox": 0o755}
	for p, want := range modes {
		fi, err := os.Stat(filepath.Join(img.Layers[0], p))
		if err != nil || fi.Mode() != want {
			t.Errorf("/%s: mode %v (err=%v), want %v", p, fi.Mode(), err, want)
		}
	}
	for _, p := range []string{"proc", "sys", "dev", "home", "var", "usr/sbin", "etc"} {
		if fi, err := os.Stat(filepath.Join(img.Layers[0], p)); err != nil || !fi.IsDir() {
			t.Errorf("/%s is not a directory (err=%v)", p, err)
		}
	}
	passwd := readString(t, filepath.Join(img.Layers[0], "etc/passwd"))
	group := readString(t, filepath.Join(img.Layers[0], "etc/group"))
	for _, user := range []string{"root:x:0:0:", "daemon:x:1:1:", "nobody:x:65534:65534:"} {
		if !strings.Contains(passwd, "\n"+user) && !strings.HasPrefix(passwd, user) {
			t.Errorf("/etc/passwd lacks %s", user)
		}
	}
	for _, g := range []string{"root:x:0:", "daemon:x:1:", "nogroup:x:65534:"} {
		if !strings.Contains(group, g) {
			t.Errorf("/etc/group lacks %s", g)
		}
	}
}

func TestBusyboxRebuiltAfterRemove(t *testing.T) {
	s := openStore(t)
	first, err := s.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Remove("busybox"); err != nil {
		t.Fatal(err)
	}
	if n := imageDirs(t, s); n != 0 {
		t.Fatalf("%d image directories after removing busybox, want 0", n)
	}
	again, err := s.Get("busybox")
	if err != nil {
		t.Fatal(err)
	}
	if again.ID != first.ID {
		t.Errorf("rebuilt busybox has ID %s, want the same %s (same host binary)", again.ID, first.ID)
	}
}

func TestBusyboxMissingOrDynamic(t *testing.T) {
	tests := []struct {
		binary, want string
	}{
		{"/nonexistent/busybox", "busybox-static"},
		{"/bin/ls", "dynamically linked"},
	}
	for _, tt := range tests {
		s := openStore(t)
		s.busybox = tt.binary
		_, err := s.Get("busybox")
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("with %s: Get(busybox) error %v, want one saying %q", tt.binary, err, tt.want)
		}
		if n := imageDirs(t, s); n != 0 {
			t.Errorf("with %s: %d image directories left", tt.binary, n)
		}
	}
}

// Several stores (as several berth processes would) build busybox at once.
func TestBusyboxConcurrentFirstUse(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "images")
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs[i] = err
				return
			}
			img, err := s.Get("busybox")
			if err != nil {
				errs[i] = err
				return
			}
			if _, err := os.Stat(filepath.Join(img.Layers[0], "bin/sh")); err != nil {
				errs[i] = err
				return
			}
			ids[i] = img.ID
		}()
	}
	wg.Wait()
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("builder %d: %v", i, errs[i])
		}
		if ids[i] != ids[0] {
			t.Errorf("builder %d got %s, builder 0 got %s", i, ids[i], ids[0])
		}
	}
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := imageDirs(t, s); got != 1 {
		t.Errorf("%d image directories, want 1", got)
	}
}

func TestOpenRemovesWorkOfDeadProcesses(t *testing.T) {
	s := openStore(t)
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	dead := filepath.Join(s.dir, tmpPrefix+strconv.Itoa(cmd.Process.Pid)+"-1-build-x")
	mine := s.tmpName("build")
	for _, p := range []string{dead, mine} {
		if err := os.MkdirAll(filepath.Join(p, "rootfs"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := Open(s.dir); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, dead)
	if _, err := os.Stat(mine); err != nil {
		t.Errorf("the work directory of a live process was removed: %v", err)
	}
}

// A flat busybox left by an older berth is rebuilt in the layer store on
// first use and the flat copy removed.
func TestFlatBusyboxRebuilt(t *testing.T) {
	s := openStore(t)
	flat, err := s.create([]string{busyboxRef}, func(rootfs string) ([]byte, int64, error) {
		size, err := buildBusyboxRootfs(s.busybox, rootfs)
		return []byte(`{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[]}}`), size, err
	})
	if err != nil {
		t.Fatal(err)
	}
	if flat.RootDir == "" || len(flat.Layers) != 0 {
		t.Fatalf("the test's flat image has layers %q", flat.Layers)
	}
	img := mustGet(t, s, "busybox")
	if len(img.Layers) != 1 || img.RootDir != "" || img.ID == flat.ID {
		t.Errorf("busybox after first use: ID %s layers %q root %q, want a rebuilt one-layer image", img.ID, img.Layers, img.RootDir)
	}
	mustNotExist(t, filepath.Dir(flat.RootDir))
}
