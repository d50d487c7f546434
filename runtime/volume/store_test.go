package volume

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

func TestCreateIsIdempotent(t *testing.T) {
	s := newStore(t)
	v, created, err := s.Create("data", CreateOptions{Labels: map[string]string{"env": "test"}, Keep: true, Owner: "sandbox-1"})
	if err != nil || !created {
		t.Fatalf("Create = %v, created %v; want a new volume", err, created)
	}
	want := Volume{
		Name:       "data",
		Driver:     "local",
		Mountpoint: filepath.Join(s.Dir(), "data", "_data"),
		CreatedAt:  v.CreatedAt,
		Labels:     map[string]string{"env": "test"},
		Scope:      "local",
		Keep:       true,
		Owner:      "sandbox-1",
	}
	if diff := cmp.Diff(want, v); diff != "" {
		t.Errorf("Create (-want +got):\n%s", diff)
	}
	if age := time.Since(v.CreatedAt); age < -time.Second || age > time.Minute {
		t.Errorf("CreatedAt = %v, want about now", v.CreatedAt)
	}
	st := lstat(t, v.Mountpoint)
	if st.Mode != unix.S_IFDIR|0o755 {
		t.Errorf("mountpoint mode = %#o, want a directory with 0755", st.Mode)
	}

	again, created, err := s.Create("data", CreateOptions{Labels: map[string]string{"other": "x"}, Owner: "sandbox-2"})
	if err != nil || created {
		t.Fatalf("second Create = %v, created %v; want the existing volume", err, created)
	}
	if diff := cmp.Diff(v, again); diff != "" {
		t.Errorf("second Create changed the volume (-first +second):\n%s", diff)
	}
	got, err := s.Get("data")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, got); diff != "" {
		t.Errorf("Get (-created +got):\n%s", diff)
	}
}

func TestCreateRejectsBadNames(t *testing.T) {
	s := newStore(t)
	tests := []struct{ name, want string }{
		{"a", `create a: volume name is too short, names should be at least two alphanumeric characters: got "a"`},
		{"../x", `create ../x: "../x" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`},
	}
	for _, tt := range tests {
		_, _, err := s.Create(tt.name, CreateOptions{})
		if err == nil || err.Error() != tt.want || !errors.Is(err, ErrInvalid) {
			t.Errorf("Create(%q) = %v\nwant %s (wrapping ErrInvalid)", tt.name, err, tt.want)
		}
	}
	if names := entries(t, s.Dir()); !slices.Equal(names, []string{".lock"}) {
		t.Errorf("store holds %v after bad creates, want only the lock", names)
	}
}

func TestCreateAnonymous(t *testing.T) {
	s := newStore(t)
	a, created, err := s.Create("", CreateOptions{Owner: "sb"})
	if err != nil || !created {
		t.Fatalf("Create(\"\") = %v, created %v", err, created)
	}
	if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(a.Name) {
		t.Errorf("anonymous name %q, want 64 lowercase hex digits", a.Name)
	}
	if !a.Anonymous {
		t.Error("volume created without a name is not Anonymous")
	}
	if diff := cmp.Diff(map[string]string{AnonymousLabel: ""}, a.Labels); diff != "" {
		t.Errorf("labels (-want +got):\n%s", diff)
	}
	b, _, err := s.Create("", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.Name == b.Name {
		t.Errorf("two anonymous volumes share the name %s", a.Name)
	}
	named, _, err := s.Create("named", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if named.Anonymous || len(named.Labels) != 0 {
		t.Errorf("named volume: Anonymous %v, labels %v; want false, none", named.Anonymous, named.Labels)
	}
}

func TestGetMissing(t *testing.T) {
	s := newStore(t)
	for _, name := range []string{"nosuchvol", "../volumes", "x"} {
		_, err := s.Get(name)
		want := "get " + name + ": no such volume"
		if err == nil || err.Error() != want || !errors.Is(err, ErrNotFound) {
			t.Errorf("Get(%q) = %v, want %q wrapping ErrNotFound", name, err, want)
		}
	}
}

func TestRemove(t *testing.T) {
	s := newStore(t)
	if _, _, err := s.Create("myvol", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(s.Dir(), "myvol", "_data", "sub", "f"), "data", 0o644)

	tests := []struct {
		name  string
		vol   string
		inUse []string
		want  string
		is    error
	}{
		{"missing", "nosuchvol", nil, "get nosuchvol: no such volume", ErrNotFound},
		{"missing and in use", "nosuchvol", []string{"abc"}, "get nosuchvol: no such volume", ErrNotFound},
		{"one user", "myvol", []string{"3f4e1c"}, "remove myvol: volume is in use - [3f4e1c]", ErrInUse},
		{"two users", "myvol", []string{"aaa111", "bbb222"}, "remove myvol: volume is in use - [aaa111, bbb222]", ErrInUse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.Remove(tt.vol, tt.inUse)
			if err == nil || err.Error() != tt.want || !errors.Is(err, tt.is) {
				t.Fatalf("Remove(%q, %q) = %v, want %q wrapping %v", tt.vol, tt.inUse, err, tt.want, tt.is)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(s.Dir(), "myvol", "_data", "sub", "f")); err != nil {
		t.Fatalf("refused removal lost data: %v", err)
	}

	if err := s.Remove("myvol", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("myvol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get after Remove = %v, want ErrNotFound", err)
	}
	if names := entries(t, s.Dir()); !slices.Equal(names, []string{".lock"}) {
		t.Errorf("store holds %v after Remove, want only the lock", names)
	}
}

func TestRemoveDoesNotFollowSymlinks(t *testing.T) {
	s := newStore(t)
	v, _, err := s.Create("links", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "keep", "precious"), "mine", 0o644)
	for link, target := range map[string]string{
		"dir":         outside,
		"file":        filepath.Join(outside, "keep", "precious"),
		"sub/rel":     "../../../../../../../../.." + outside,
		"sub/subdir":  filepath.Join(outside, "keep"),
		"sub/to-root": "/",
	} {
		p := filepath.Join(v.Mountpoint, link)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Remove("links", nil); err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile(filepath.Join(outside, "keep", "precious")); err != nil || string(got) != "mine" {
		t.Errorf("file outside the volume: %q, %v; want it untouched", got, err)
	}
	if _, err := os.Lstat(filepath.Join(s.Dir(), "links")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("volume directory after Remove: %v, want it gone", err)
	}
}

func TestRemoveRefusesMountInside(t *testing.T) {
	requireRoot(t)
	s := newStore(t)
	v, _, err := s.Create("mounted", CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	mnt := filepath.Join(v.Mountpoint, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := unix.Mount("tmpfs", mnt, "tmpfs", 0, "size=1m"); err != nil {
		t.Skipf("mount tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	writeFile(t, filepath.Join(mnt, "other-fs"), "x", 0o644)

	err = s.Remove("mounted", nil)
	if err == nil {
		t.Fatal("Remove of a volume with a mount inside succeeded")
	}
	t.Log(err)
	if _, err := os.Stat(filepath.Join(mnt, "other-fs")); err != nil {
		t.Errorf("file on the mounted file system: %v", err)
	}
	if _, err := s.Get("mounted"); err != nil {
		t.Errorf("volume after refused Remove: %v", err)
	}
}

func TestListIsSortedAndSkipsLeftovers(t *testing.T) {
	s := newStore(t)
	for _, n := range []string{"cc", "aa", "bb"} {
		if _, _, err := s.Create(n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	// What another process mid-create, a stray file and a directory
	// without a record look like: none of them is a volume.
	if err := os.Mkdir(filepath.Join(s.Dir(), stagingPrefix+"123"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(s.Dir(), "stray"), "x", 0o644)
	if err := os.Mkdir(filepath.Join(s.Dir(), "norecord"), 0o755); err != nil {
		t.Fatal(err)
	}
	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range list {
		names = append(names, v.Name)
	}
	if want := []string{"aa", "bb", "cc"}; !slices.Equal(names, want) {
		t.Errorf("List = %v, want %v", names, want)
	}

	empty, err := newStore(t).List()
	if err != nil || len(empty) != 0 {
		t.Errorf("List of an empty store = %v, %v; want nothing", empty, err)
	}
}

// One damaged record hides no other volume: Scan names it apart, List
// skips it.
func TestScanSetsDamagedRecordsApart(t *testing.T) {
	s := newStore(t)
	for _, n := range []string{"aa", "bad", "cc", "misnamed"} {
		if _, _, err := s.Create(n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, s.recordPath("bad"), `{"name": "bad", "cre`, 0o600)
	writeFile(t, s.recordPath("misnamed"), `{"name": "other"}`, 0o600)
	vols, bad, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	var names, badNames []string
	for _, v := range vols {
		names = append(names, v.Name)
	}
	for _, d := range bad {
		badNames = append(badNames, d.Name)
		if !strings.Contains(d.Err.Error(), s.recordPath(d.Name)) {
			t.Errorf("damaged %s: %v; want the error to name its record", d.Name, d.Err)
		}
	}
	if !slices.Equal(names, []string{"aa", "cc"}) || !slices.Equal(badNames, []string{"bad", "misnamed"}) {
		t.Errorf("Scan = %v, damaged %v; want [aa cc], damaged [bad misnamed]", names, badNames)
	}
	list, err := s.List()
	if err != nil || len(list) != 2 {
		t.Errorf("List = %v, %v; want aa and cc", list, err)
	}
	// Removing it is the way out of the damage.
	if err := s.Remove("bad", nil); err != nil {
		t.Errorf("Remove of a damaged volume: %v", err)
	}
	if _, err := os.Stat(s.volumeDir("bad")); !os.IsNotExist(err) {
		t.Errorf("damaged volume still there after Remove: %v", err)
	}
}

func TestOpenSweepsLeftovers(t *testing.T) {
	s := newStore(t)
	if _, _, err := s.Create("kept", CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{stagingPrefix + "1", trashPrefix + "2"} {
		writeFile(t, filepath.Join(s.Dir(), n, "_data", "f"), "x", 0o644)
	}
	if _, err := Open(s.Dir()); err != nil {
		t.Fatal(err)
	}
	if names := entries(t, s.Dir()); !slices.Equal(names, []string{".lock", "kept"}) {
		t.Errorf("store after Open holds %v, want [.lock kept]", names)
	}
}

func TestVolumesPersistAcrossOpen(t *testing.T) {
	s := newStore(t)
	v, _, err := s.Create("persist", CreateOptions{Labels: map[string]string{"a": "b"}, Keep: true, Owner: "o", Anonymous: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkCopiedUp("persist"); err != nil {
		t.Fatal(err)
	}
	v.CopiedUp = true
	s2, err := Open(s.Dir())
	if err != nil {
		t.Fatal(err)
	}
	got, err := s2.Get("persist")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(v, got); diff != "" {
		t.Errorf("volume read back (-want +got):\n%s", diff)
	}
}

// Two goroutines with their own Store and lock descriptor stand for two
// berth processes sharing a root.
func TestConcurrentCreate(t *testing.T) {
	dir := newStore(t).Dir()
	const n = 8
	var wg sync.WaitGroup
	results := make([]Volume, n)
	created := make([]bool, n)
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(dir)
			if err != nil {
				errs[i] = err
				return
			}
			results[i], created[i], errs[i] = s.Create("shared", CreateOptions{Owner: "sb"})
		}()
	}
	wg.Wait()
	creators := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("Create %d: %v", i, errs[i])
		}
		if created[i] {
			creators++
		}
		if diff := cmp.Diff(results[0], results[i]); diff != "" {
			t.Errorf("Create %d saw another volume (-0 +%d):\n%s", i, i, diff)
		}
	}
	if creators != 1 {
		t.Errorf("%d Creates report creating the volume, want 1", creators)
	}
}

func TestInspect(t *testing.T) {
	s := newStore(t)
	v, _, err := s.Create("insp", CreateOptions{Labels: map[string]string{"k": "v"}})
	if err != nil {
		t.Fatal(err)
	}
	got := v.Inspect()
	want := map[string]any{
		"Name":       "insp",
		"Driver":     "local",
		"Mountpoint": filepath.Join(s.Dir(), "insp", "_data"),
		"CreatedAt":  v.CreatedAt.Format(time.RFC3339),
		"Labels":     map[string]any{"k": "v"},
		"Scope":      "local",
		"Options":    nil,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Inspect (-want +got):\n%s", diff)
	}
	if _, err := time.Parse(time.RFC3339, got["CreatedAt"].(string)); err != nil {
		t.Errorf("CreatedAt is not RFC 3339: %v", err)
	}
	// Docker prints an empty object, not null, for a volume without labels.
	bare, _, _ := s.Create("bare", CreateOptions{})
	out, err := json.Marshal(bare.Inspect())
	if err != nil {
		t.Fatal(err)
	}
	if want := `"Labels":{}`; !regexp.MustCompile(regexp.QuoteMeta(want)).Match(out) {
		t.Errorf("Inspect JSON %s lacks %s", out, want)
	}
}

// The store's document is the one of every layer: a time read in another
// zone, or with a fraction of a second, is shown as Docker shows it.
func TestInspectCreatedAtIsDockers(t *testing.T) {
	v := Volume{Name: "v", CreatedAt: time.Date(2026, 12, 1, 6, 0, 0, 5, time.FixedZone("CET", 3600))}
	if got := v.Inspect()["CreatedAt"]; got != "2026-12-01T05:00:00Z" {
		t.Errorf("CreatedAt = %v, want 2026-12-01T05:00:00Z", got)
	}
}
