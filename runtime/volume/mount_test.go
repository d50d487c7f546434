package volume

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
)

// imageWithData makes a directory standing for an image's /var/lib/app.
func imageWithData(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "app")
	writeFile(t, filepath.Join(dir, "conf"), "from image", 0o644)
	writeFile(t, filepath.Join(dir, "db", "table"), "rows", 0o600)
	return dir
}

func createVolume(t *testing.T, s *Store, name string) Volume {
	t.Helper()
	v, _, err := s.Create(name, CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func emptyDir(t *testing.T, dir string) {
	t.Helper()
	for _, n := range entries(t, dir) {
		if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
			t.Fatal(err)
		}
	}
}

func needsCopyUp(t *testing.T, s *Store, name string) bool {
	t.Helper()
	needs, err := s.NeedsCopyUp(name)
	if err != nil {
		t.Fatal(err)
	}
	return needs
}

func TestPrepareMount(t *testing.T) {
	image := imageWithData(t)
	missing := filepath.Join(t.TempDir(), "missing")
	notDir := filepath.Join(t.TempDir(), "file")
	writeFile(t, notDir, "x", 0o644)

	// Each step mounts the volume once; want is what _data then holds.
	type step struct {
		before    func(data string) // what users did to the volume before this mount
		imageDir  string
		nocopy    bool
		want      []string
		wantNeeds bool // NeedsCopyUp after the step
	}
	userFile := func(data string) { writeFile(t, filepath.Join(data, "mine"), "user", 0o644) }
	deleteAll := func(data string) { emptyDir(t, data) }
	tests := []struct {
		name  string
		steps []step
	}{
		{"an empty volume gets the image's files", []step{
			{imageDir: image, want: []string{"conf", "db"}},
		}},
		{"deleted files do not come back", []step{
			{imageDir: image, want: []string{"conf", "db"}},
			{before: deleteAll, imageDir: image, want: []string{}},
			{imageDir: image, want: []string{}},
		}},
		{"a volume with content gets nothing, then or later", []step{
			{before: userFile, imageDir: image, want: []string{"mine"}},
			{before: deleteAll, imageDir: image, want: []string{}},
		}},
		{"nocopy skips the copy for that mount only", []step{
			{imageDir: image, nocopy: true, want: []string{}, wantNeeds: true},
			{imageDir: image, want: []string{"conf", "db"}},
		}},
		{"no directory in the image: nothing now, a copy later", []step{
			{imageDir: missing, want: []string{}, wantNeeds: true},
			{imageDir: notDir, want: []string{}, wantNeeds: true},
			{imageDir: filepath.Join(notDir, "below"), want: []string{}, wantNeeds: true},
			{imageDir: image, want: []string{"conf", "db"}},
		}},
		{"files the first mount added stay and block the copy", []step{
			{imageDir: missing, want: []string{}, wantNeeds: true},
			{before: userFile, imageDir: image, want: []string{"mine"}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStore(t)
			v := createVolume(t, s, "vol")
			for i, st := range tt.steps {
				if st.before != nil {
					st.before(v.Mountpoint)
				}
				if err := prepareMount(t, s, "vol", st.imageDir, st.nocopy); err != nil {
					t.Fatalf("step %d: PrepareMount: %v", i, err)
				}
				if got := entries(t, v.Mountpoint); !slices.Equal(got, st.want) {
					t.Errorf("step %d: volume holds %v, want %v", i, got, st.want)
				}
				if got := needsCopyUp(t, s, "vol"); got != st.wantNeeds {
					t.Errorf("step %d: NeedsCopyUp = %v, want %v", i, got, st.wantNeeds)
				}
			}
		})
	}
}

func TestPrepareMountCopiesContent(t *testing.T) {
	s := newStore(t)
	v := createVolume(t, s, "vol")
	if !needsCopyUp(t, s, "vol") {
		t.Fatal("a new volume does not need copy-up")
	}
	if err := prepareMount(t, s, "vol", imageWithData(t), false); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(v.Mountpoint, "db", "table")); err != nil || string(got) != "rows" {
		t.Errorf("db/table = %q, %v; want %q", got, err, "rows")
	}
	if got, _ := s.Get("vol"); !got.CopiedUp {
		t.Error("volume not marked CopiedUp after its copy-up")
	}
}

// An empty directory in the image still gives the volume its owner and
// mode, so a volume over a service's data directory belongs to the service.
func TestPrepareMountTakesOwnerOfEmptyImageDir(t *testing.T) {
	requireRoot(t)
	s := newStore(t)
	v := createVolume(t, s, "vol")
	image := filepath.Join(t.TempDir(), "mysql")
	if err := os.Mkdir(image, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(image, 999, 998); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(image, 0o750); err != nil {
		t.Fatal(err)
	}
	if err := prepareMount(t, s, "vol", image, false); err != nil {
		t.Fatal(err)
	}
	st := lstat(t, v.Mountpoint)
	if st.Uid != 999 || st.Gid != 998 || st.Mode != unix.S_IFDIR|0o750 {
		t.Errorf("volume directory: owner %d:%d mode %#o; want 999:998 and a 0750 directory", st.Uid, st.Gid, st.Mode)
	}
	if needsCopyUp(t, s, "vol") {
		t.Error("NeedsCopyUp after copying an empty directory, want false: the volume had its copy")
	}
}

func TestPrepareMountMissingVolume(t *testing.T) {
	s := newStore(t)
	for _, nocopy := range []bool{false, true} {
		err := prepareMount(t, s, "nosuchvol", t.TempDir(), nocopy)
		if err == nil || err.Error() != "get nosuchvol: no such volume" || !errors.Is(err, ErrNotFound) {
			t.Errorf("PrepareMount(nocopy=%v) of a missing volume = %v", nocopy, err)
		}
	}
	if _, err := s.NeedsCopyUp("nosuchvol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("NeedsCopyUp of a missing volume = %v, want ErrNotFound", err)
	}
	if err := s.MarkCopiedUp("nosuchvol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("MarkCopiedUp of a missing volume = %v, want ErrNotFound", err)
	}
}

// A copy that fails midway leaves the volume as it was: empty, with its
// own owner and mode, and still due its copy-up.
func TestPrepareMountUndoesFailedCopy(t *testing.T) {
	s := newStore(t)
	v := createVolume(t, s, "vol")
	image := filepath.Join(t.TempDir(), "big")
	for _, d := range []string{"a", "b", "c"} {
		for _, f := range []string{"1", "2", "3"} {
			writeFile(t, filepath.Join(image, d, f), d+f, 0o644)
		}
	}
	if err := os.Chmod(image, 0o700); err != nil {
		t.Fatal(err)
	}
	before := lstat(t, v.Mountpoint)

	copied := 0
	s.copyHook = func(p string) error {
		if copied == 7 {
			return errors.New("injected failure at " + p)
		}
		copied++
		return nil
	}
	err := prepareMount(t, s, "vol", image, false)
	if err == nil || !strings.Contains(err.Error(), "injected failure") || !strings.HasPrefix(err.Error(), "copy up into volume vol: ") {
		t.Fatalf("PrepareMount with a failing copy = %v", err)
	}
	if copied != 7 {
		t.Fatalf("the hook saw %d entries before failing, want 7: the failure came too early to test the undo", copied)
	}
	if got := entries(t, v.Mountpoint); len(got) != 0 {
		t.Errorf("volume holds %v after a failed copy, want nothing", got)
	}
	after := lstat(t, v.Mountpoint)
	if after.Mode != before.Mode || after.Uid != before.Uid || after.Gid != before.Gid {
		t.Errorf("volume directory mode %#o owner %d:%d, want %#o %d:%d as before the copy",
			after.Mode, after.Uid, after.Gid, before.Mode, before.Uid, before.Gid)
	}
	if !needsCopyUp(t, s, "vol") {
		t.Error("volume lost its copy-up to a failed copy")
	}

	s.copyHook = nil
	if err := prepareMount(t, s, "vol", image, false); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, v.Mountpoint); !slices.Equal(got, []string{"a", "b", "c"}) {
		t.Errorf("volume holds %v after the retry, want [a b c]", got)
	}
}

// The image's directory is found as the container would find it: symlinks
// in the image lead to the image's own directories, never the host's.
func TestPrepareMountResolvesInRootfs(t *testing.T) {
	rootfs := t.TempDir()
	writeFile(t, filepath.Join(rootfs, "etc", "image-only"), "inside", 0o644)
	writeFile(t, filepath.Join(rootfs, "srv", "data", "f"), "x", 0o644)
	for link, target := range map[string]string{
		"var/lib/mysql":  "/etc",
		"var/lib/rel":    "../../../../../../etc",
		"var/lib/chain":  "/var/lib/mysql",
		"var/lib/parent": "/srv",
	} {
		p := filepath.Join(rootfs, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	root, err := fsroot.Open(rootfs)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	tests := []struct {
		target string
		want   []string
	}{
		{"/var/lib/mysql", []string{"image-only"}},
		{"/var/lib/rel", []string{"image-only"}},
		{"/var/lib/chain", []string{"image-only"}},
		{"/var/lib/parent/data", []string{"f"}},
		{"/../../etc", []string{"image-only"}},
		{"/no/such/dir", []string{}},
	}
	for _, tt := range tests {
		s := newStore(t)
		v := createVolume(t, s, "vol")
		if err := s.PrepareMount("vol", root, tt.target, false); err != nil {
			t.Errorf("PrepareMount(%s) = %v", tt.target, err)
			continue
		}
		if got := entries(t, v.Mountpoint); !slices.Equal(got, tt.want) {
			t.Errorf("PrepareMount(%s): volume holds %v, want %v", tt.target, got, tt.want)
		}
	}
}

// prepareMount mounts the volume over dir, a host path: the host's root
// stands for the image's.
func prepareMount(t *testing.T, s *Store, name, dir string, nocopy bool) error {
	t.Helper()
	root, err := fsroot.Open("/")
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	return s.PrepareMount(name, root, dir, nocopy)
}
