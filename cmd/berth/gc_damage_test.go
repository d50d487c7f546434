package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/vishvananda/netlink"
)

// Ways to damage a record: the tests below run each on a killed run's
// state and check that gc still removes everything.
var damages = []struct {
	name string
	fn   func(path string) error
}{
	{"garbage", func(p string) error { return os.WriteFile(p, []byte("\x00\xffnot json{"), 0o600) }},
	{"truncated", func(p string) error {
		fi, err := os.Stat(p)
		if err != nil {
			return err
		}
		return os.Truncate(p, fi.Size()/2)
	}},
	{"deleted", os.Remove},
}

// killedRun runs scenario (which writes marker when it holds) on the root,
// waits for n settled containers, and SIGKILLs berth.
func killedRun(t *testing.T, root *testRoot, scenario, marker string, n int) {
	t.Helper()
	b := start(t, root.path, "run", scenario)
	b.waitForFile(t, marker)
	b.waitFor(t, fmt.Sprintf("%d settled containers", n), func() bool { return root.settled(t, n) })
	b.signal(t, syscall.SIGKILL)
	if ws := b.wait(t); ws.Signal() != syscall.SIGKILL {
		t.Fatalf("berth ended with %v, not by SIGKILL\n%s", ws, b.output())
	}
}

func linkExists(t *testing.T, name string) bool {
	t.Helper()
	_, err := netlink.LinkByName(name)
	if err != nil && !errors.As(err, new(netlink.LinkNotFoundError)) {
		t.Fatalf("look up link %s: %v", name, err)
	}
	return err == nil
}

// A damaged or deleted network.json of a killed run no longer leaks its
// bridge (and the bridge's subnet) for good: gc finds the bridge by its
// mark and the network's owner in its owner file.
func TestGCDamagedNetworkRecord(t *testing.T) {
	needRoot(t)
	for _, d := range damages {
		t.Run(d.name, func(t *testing.T) {
			root := newRoot(t)
			dir := t.TempDir()
			marker := filepath.Join(dir, "ready")
			scenario := writeFile(t, filepath.Join(dir, "nets.star"), fmt.Sprintf(`
net = network.create("held_net")

def test_hold():
    run("busybox", "sleep 3600", detach = True, name = "user", network = "held_net")
    run("busybox", "sleep 3600", detach = True, name = "default")
    host.write_file(%q, "ready")
    sleep(3600)
`, marker))
			killedRun(t, root, scenario, marker, 2)
			before := root.scan(t)
			if len(before.networks) != 2 || len(before.links) != 2 {
				t.Fatalf("want 2 networks with their bridges: %s", before)
			}
			for _, id := range before.networks {
				if err := d.fn(filepath.Join(root.path, "networks", id, "network.json")); err != nil {
					t.Fatal(err)
				}
			}
			res := berth(t, root.path, "gc")
			if res.code != 0 || res.stderr != "" || !strings.Contains(res.stdout, " 2 containers, ") || !strings.Contains(res.stdout, " 2 networks, ") {
				t.Errorf("gc after the records were %s: want 2 containers and 2 networks removed\n%s", d.name, res)
			}
			for _, dev := range before.links {
				if linkExists(t, dev) {
					t.Errorf("bridge %s still on the host after gc", dev)
				}
			}
			if l := root.scan(t); !l.empty() {
				t.Errorf("left after gc: %s", l)
			}
		})
	}
}

// One damaged volume.json stops neither gc nor volume ls: the others are
// removed, the damaged one is named, and volume rm removes it.
func TestGCDamagedVolumeRecord(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	marker := filepath.Join(dir, "ready")
	scenario := writeFile(t, filepath.Join(dir, "vols.star"), fmt.Sprintf(`
volume.create("aaa")
volume.create("bad")
volume.create("zzz")

def test_hold():
    run("busybox", "sleep 3600", detach = True, volumes = ["aaa:/a"])
    host.write_file(%q, "ready")
    sleep(3600)
`, marker))
	killedRun(t, root, scenario, marker, 1)
	bad, err := filepath.Glob(filepath.Join(root.path, "volumes", "sb*_bad"))
	if err != nil || len(bad) != 1 {
		t.Fatalf("the volume bad in the store: %q, %v", bad, err)
	}
	badName := filepath.Base(bad[0])
	if err := os.WriteFile(filepath.Join(bad[0], "volume.json"), []byte(`{"name": "`), 0o600); err != nil {
		t.Fatal(err)
	}
	res := berth(t, root.path, "gc")
	if res.code != 0 || !strings.Contains(res.stdout, " 2 volumes, ") ||
		!strings.HasPrefix(res.stderr, "berth gc: volume "+badName+": ") || strings.Count(res.stderr, "\n") != 1 {
		t.Errorf("gc with a damaged volume record: want the 2 others removed and one line naming %s\n%s", badName, res)
	}
	vols, _ := os.ReadDir(filepath.Join(root.path, "volumes"))
	var names []string
	for _, v := range vols {
		names = append(names, v.Name())
	}
	if !slices.Equal(names, []string{".lock", badName}) {
		t.Errorf("volumes after gc: %q, want only the damaged one", names)
	}
	res = berth(t, root.path, "volume", "ls")
	if res.code != 0 || res.stdout != "DRIVER   VOLUME NAME   KEPT\n" || !strings.Contains(res.stderr, "volume "+badName+" skipped") {
		t.Errorf("volume ls with a damaged record: want the listing and a warning\n%s", res)
	}
	if res := berth(t, root.path, "volume", "rm", badName); res.code != 0 || res.stdout != badName+"\n" {
		t.Errorf("volume rm of the damaged volume\n%s", res)
	}
	if _, err := os.Stat(bad[0]); !os.IsNotExist(err) {
		t.Errorf("damaged volume still there after volume rm: %v", err)
	}
}

// A damaged repositories.json stops no run: berth moves it aside, says so
// in one line, and busybox is tagged again.
func TestDamagedImageTags(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	if res := berth(t, root.path, "image", "ls"); res.code != 0 {
		t.Fatalf("image ls\n%s", res)
	}
	tags := filepath.Join(root.path, "images", "repositories.json")
	if err := os.WriteFile(tags, []byte(`{"busybox:latest": "sha256:`), 0o600); err != nil {
		t.Fatal(err)
	}
	scenario := writeFile(t, filepath.Join(t.TempDir(), "run.star"), `
def test_run():
    assert.eq(run("busybox", "echo hi").stdout, "hi\n")
`)
	res := berth(t, root.path, "run", scenario)
	if res.code != 0 || !strings.HasPrefix(res.stderr, "berth: warning: image tags file "+tags+" was damaged") ||
		!strings.Contains(res.stderr, "moved it to "+tags+".damaged-") || strings.Count(res.stderr, "\n") != 1 {
		t.Errorf("a run with damaged image tags: want it to pass with one warning line\n%s", res)
	}
	if res := berth(t, root.path, "run", scenario); res.code != 0 || res.stderr != "" {
		t.Errorf("the next run: want no warning\n%s", res)
	}
}

// gc never kills the container of a live run for a damaged record: the
// owner file tells the owner, and without it the container is left and
// reported. A dead run's container with a damaged record goes.
func TestGCDamagedContainerRecord(t *testing.T) {
	needRoot(t)
	tests := []struct {
		name              string
		kill, damageOwner bool
		wantLeft          string // "" = the container is removed
	}{
		{"live owner", false, false, "is alive: left alone"},
		{"live owner, owner file damaged too", false, true, "its owner is unknown, so it was left alone"},
		{"dead owner", true, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := newRoot(t)
			dir := t.TempDir()
			marker := filepath.Join(dir, "ready")
			b := start(t, root.path, "run", writeFile(t, filepath.Join(dir, "hold.star"), holdScenario(marker, 1, false)))
			b.waitForFile(t, marker)
			b.waitFor(t, "1 settled container", func() bool { return root.settled(t, 1) })
			before := root.scan(t)
			procs := identify(t, before.pids)
			if tt.kill {
				b.signal(t, syscall.SIGKILL)
				b.wait(t)
			}
			id := before.ids()[0]
			cdir := filepath.Join(root.path, "containers", id)
			if err := os.WriteFile(filepath.Join(cdir, "record.json"), []byte("{\"id\": \x00"), 0o600); err != nil {
				t.Fatal(err)
			}
			if tt.damageOwner {
				if err := os.WriteFile(filepath.Join(cdir, "owner"), []byte("12"), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			res := berth(t, root.path, "gc")
			if tt.wantLeft == "" {
				if res.code != 0 || res.stderr != "" || !strings.Contains(res.stdout, "removed 1 containers") {
					t.Errorf("gc of a dead run's container with a damaged record\n%s", res)
				}
				if alive := procs.alive(); len(alive) != 0 {
					t.Errorf("its processes %v still alive", alive)
				}
				return
			}
			if res.code != 0 || !strings.Contains(res.stdout, "removed 0 containers") ||
				!strings.HasPrefix(res.stderr, "berth gc: container "+id+": ") || !strings.Contains(res.stderr, tt.wantLeft) {
				t.Errorf("gc of a live run's container with a damaged record: want it left, saying %q\n%s", tt.wantLeft, res)
			}
			checkLiveRunIntact(t, root, b, id, procs)
		})
	}
}

// checkLiveRunIntact checks that the live run b still has its container id
// running with its processes, and that it removes it itself when it ends.
func checkLiveRunIntact(t *testing.T, root *testRoot, b *background, id string, procs processes) {
	t.Helper()
	checkHeld(t, root.scan(t), []string{id})
	if alive := procs.alive(); len(alive) != len(procs) {
		t.Errorf("gc killed the live run's processes: %d of %d left", len(alive), len(procs))
	}
	b.signal(t, syscall.SIGTERM)
	if ws := b.wait(t); ws.ExitStatus() != 128+int(syscall.SIGTERM) {
		t.Errorf("live run after SIGTERM: %v\n%s", ws, b.output())
	}
	if l := root.scan(t); !l.empty() {
		t.Errorf("left after the live run ended: %s", l)
	}
}

// hostObjects is a scenario that makes a host.tempdir with a file in it
// and a host.veth_pair, writes their names to names and then marker, and
// holds.
func hostObjects(names, marker string) string {
	return fmt.Sprintf(`
def test_hold():
    d = host.tempdir()
    host.write_file(d + "/data", "x")
    a, b = host.veth_pair()
    host.write_file(%q, " ".join([d, a, b]))
    host.write_file(%q, "ready")
    sleep(3600)
`, names, marker)
}

// What a killed run made through host.tempdir and host.veth_pair is
// removed by gc; what a live run made is not.
func TestGCHostTempdirAndVeth(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	dir := t.TempDir()
	runs := map[string]*background{}
	objects := map[string][]string{}
	for _, name := range []string{"live", "dead"} {
		names, marker := filepath.Join(dir, name+".names"), filepath.Join(dir, name+".ready")
		runs[name] = start(t, root.path, "run", writeFile(t, filepath.Join(dir, name+".star"), hostObjects(names, marker)))
		runs[name].waitForFile(t, marker)
		data, err := os.ReadFile(names)
		if err != nil {
			t.Fatal(err)
		}
		objects[name] = strings.Fields(string(data))
	}
	exist := func(name string) []bool {
		obj := objects[name]
		_, err := os.Stat(filepath.Join(obj[0], "data"))
		return []bool{err == nil, linkExists(t, obj[1]), linkExists(t, obj[2])}
	}
	runs["dead"].signal(t, syscall.SIGKILL)
	runs["dead"].wait(t)
	if got := exist("dead"); !slices.Equal(got, []bool{true, true, true}) {
		t.Fatalf("after SIGKILL, before gc: tempdir, veth ends there: %v", got)
	}
	res := berth(t, root.path, "gc")
	if res.code != 0 || res.stderr != "" {
		t.Errorf("gc\n%s", res)
	}
	if got := exist("dead"); !slices.Equal(got, []bool{false, false, false}) {
		t.Errorf("the killed run's tempdir %s and veth pair %s/%s there after gc: %v", objects["dead"][0], objects["dead"][1], objects["dead"][2], got)
	}
	if got := exist("live"); !slices.Equal(got, []bool{true, true, true}) {
		t.Errorf("the live run's tempdir and veth pair after gc: %v, want all there", got)
	}
	runs["live"].signal(t, syscall.SIGTERM)
	runs["live"].wait(t)
	if got := exist("live"); !slices.Equal(got, []bool{false, false, false}) {
		t.Errorf("the live run's tempdir and veth pair after it ended: %v", got)
	}
}

// importRootfs makes a root filesystem with the host's static busybox as
// /bin/sh and returns its directory.
func importRootfs(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "rootfs")
	bin, err := os.ReadFile("/bin/busybox")
	if err != nil {
		t.Skipf("no host busybox: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "busybox"), bin, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("busybox", filepath.Join(dir, "bin", "sh")); err != nil {
		t.Fatal(err)
	}
	return dir
}

// Importing the same name again does not pile up untagged images (it did
// once per suite run, through scenario 13's import); an image a container
// still uses stays, untagged, until image prune finds it unused.
func TestImagePrune(t *testing.T) {
	needRoot(t)
	root := newRoot(t)
	rootfs := importRootfs(t)
	for range 2 {
		if res := berth(t, root.path, "image", "import", rootfs, "pruned:1"); res.code != 0 {
			t.Fatalf("image import\n%s", res)
		}
	}
	if res := berth(t, root.path, "image", "ls"); res.code != 0 || strings.Contains(res.stdout, "<none>") || !strings.Contains(res.stdout, "pruned:1") {
		t.Errorf("after importing pruned:1 twice: want no <none> image\n%s", res)
	}
	dir := t.TempDir()
	marker := filepath.Join(dir, "ready")
	user := start(t, root.path, "run", writeFile(t, filepath.Join(dir, "use.star"), fmt.Sprintf(`
def test_hold():
    create("pruned:1", "true")
    host.write_file(%q, "ready")
    sleep(3600)
`, marker)))
	user.waitForFile(t, marker)
	if res := berth(t, root.path, "image", "import", rootfs, "pruned:1"); res.code != 0 {
		t.Fatalf("image import\n%s", res)
	}
	if res := berth(t, root.path, "image", "ls"); strings.Count(res.stdout, "<none>") != 1 {
		t.Errorf("the image a created container uses, after its name moved: want it <none>\n%s", res)
	}
	if res := berth(t, root.path, "image", "prune"); res.code != 0 || res.stdout != "Removed 0 images\nTotal reclaimed space: 0B\n" {
		t.Errorf("image prune while a container uses the untagged image: want nothing removed\n%s", res)
	}
	user.signal(t, syscall.SIGKILL)
	user.wait(t)
	if res := berth(t, root.path, "gc"); res.code != 0 || !strings.Contains(res.stdout, "removed 1 containers") {
		t.Fatalf("gc\n%s", res)
	}
	res := berth(t, root.path, "image", "prune")
	if res.code != 0 || !strings.HasPrefix(res.stdout, "Deleted Images:\nsha256:") || !strings.Contains(res.stdout, "\nRemoved 1 images\nTotal reclaimed space: ") {
		t.Errorf("image prune once nothing uses the untagged image: want it removed\n%s", res)
	}
	res = berth(t, root.path, "image", "ls")
	if strings.Contains(res.stdout, "<none>") || !strings.Contains(res.stdout, "pruned:1") || !strings.Contains(res.stdout, "busybox:latest") {
		t.Errorf("after image prune: want the tagged images only\n%s", res)
	}
}
