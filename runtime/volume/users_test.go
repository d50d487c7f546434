package volume

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// fakeUses is a containers directory with the given containers (id ->
// store names of the volumes they mount; nil: no UsersFile), of which
// the ids in live are live. Volume owner tags "alive" and "dead" are
// known, any other is not.
func fakeUses(t *testing.T, containers map[string][]string, live ...string) Uses {
	t.Helper()
	dir := t.TempDir()
	for id, names := range containers {
		if err := os.Mkdir(filepath.Join(dir, id), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := RecordUse(filepath.Join(dir, id), names); err != nil {
			t.Fatal(err)
		}
	}
	return Uses{
		ContainersDir: dir,
		ContainerLive: func(d string) bool { return slices.Contains(live, filepath.Base(d)) },
		OwnerAlive: func(tag string) (bool, bool) {
			return tag == "alive", tag == "alive" || tag == "dead"
		},
	}
}

func TestRecordUse(t *testing.T) {
	dir := t.TempDir()
	if err := RecordUse(dir, nil); err != nil {
		t.Fatal(err)
	}
	if got := entries(t, dir); len(got) != 0 {
		t.Errorf("no volumes wrote %q, want nothing", got)
	}
	if err := RecordUse(dir, []string{"a", "sb1_b"}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(dir, UsersFile))
	if err != nil || string(data) != "a\nsb1_b\n" {
		t.Errorf("%s = %q, %v; want \"a\\nsb1_b\\n\"", UsersFile, data, err)
	}
	if got := entries(t, dir); !slices.Equal(got, []string{UsersFile}) {
		t.Errorf("directory holds %q, want only %s (no temporary file)", got, UsersFile)
	}
}

func TestUsers(t *testing.T) {
	u := fakeUses(t, map[string][]string{
		"c1":   {"a", "b"},
		"c2":   {"b"},
		"dead": {"a", "b"},
		"none": nil,
	}, "c1", "c2", "none")
	for _, tt := range []struct {
		vol  string
		want []string
	}{
		{"a", []string{"c1"}},
		{"b", []string{"c1", "c2"}},
		{"ab", nil}, // a whole name, not a part of one
		{"z", nil},
	} {
		got, err := u.Users(tt.vol)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Users(%q) = %q, %v; want %q", tt.vol, got, err, tt.want)
		}
	}
	u.ContainersDir = filepath.Join(u.ContainersDir, "missing")
	if _, err := u.Users("a"); err == nil || !strings.HasPrefix(err.Error(), "list containers: ") {
		t.Errorf("Users over a missing directory = %v, want list containers: ...", err)
	}
}

func TestRemoveUnused(t *testing.T) {
	s := newStore(t)
	for _, n := range []string{"sb1_used", "free"} {
		if _, _, err := s.Create(n, CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	u := fakeUses(t, map[string][]string{"c1": {"sb1_used"}, "c2": {"sb1_used"}, "gone": {"free"}}, "c1", "c2")
	err := s.RemoveUnused("sb1_used", "used", u)
	if want := "remove used: volume is in use - [c1, c2]"; err == nil || err.Error() != want || !errors.Is(err, ErrInUse) {
		t.Errorf("RemoveUnused of a volume in use = %v, want %q matching ErrInUse", err, want)
	}
	if _, err := s.Get("sb1_used"); err != nil {
		t.Errorf("refused volume is gone: %v", err)
	}
	if err := s.RemoveUnused("free", "free", u); err != nil {
		t.Errorf("RemoveUnused of a volume only a dead container used: %v", err)
	}
	if _, err := s.Get("free"); !errors.Is(err, ErrNotFound) {
		t.Errorf("after RemoveUnused, Get = %v, want ErrNotFound", err)
	}
}

// gcStore holds one volume per case GC and Prune tell apart, and one whose
// record is damaged.
func gcStore(t *testing.T) (*Store, Uses) {
	s := newStore(t)
	for _, v := range []struct {
		name string
		opts CreateOptions
	}{
		{"deadrun", CreateOptions{Owner: "dead"}},
		{"deadkept", CreateOptions{Owner: "dead", Keep: true}},
		{"deadused", CreateOptions{Owner: "dead"}},
		{"liverun", CreateOptions{Owner: "alive"}},
		{"livekept", CreateOptions{Owner: "alive", Keep: true}},
		{"unknown", CreateOptions{Owner: "1:x"}},
		{"damaged", CreateOptions{Owner: "dead"}},
	} {
		if _, _, err := s.Create(v.name, v.opts); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, s.recordPath("damaged"), `{"name": "damaged", "cre`, 0o600)
	return s, fakeUses(t, map[string][]string{"c1": {"deadused"}}, "c1")
}

func volumeNames(t *testing.T, s *Store) []string {
	t.Helper()
	all, _, err := s.Scan()
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, v := range all {
		names = append(names, v.Name)
	}
	return names
}

func TestGC(t *testing.T) {
	s, u := gcStore(t)
	n, left, err := s.GC(u)
	if err != nil || n != 1 {
		t.Errorf("GC = %d, %v; want 1 volume removed", n, err)
	}
	if want := []string{"deadkept", "deadused", "livekept", "liverun", "unknown"}; !slices.Equal(volumeNames(t, s), want) {
		t.Errorf("after GC: %q, want %q", volumeNames(t, s), want)
	}
	if len(left) != 1 || !strings.HasPrefix(left[0], "volume damaged: ") || !strings.HasSuffix(left[0], ": left alone (if no run uses it, berth volume rm damaged removes it)") {
		t.Errorf("GC left %q, want one line for the damaged volume", left)
	}
}

func TestPrune(t *testing.T) {
	s, u := gcStore(t)
	removed, damaged, err := s.Prune(u)
	if want := []string{"deadkept", "deadrun", "livekept", "unknown"}; err != nil || !slices.Equal(removed, want) {
		t.Errorf("Prune = %q, %v; want %q", removed, err, want)
	}
	if want := []string{"deadused", "liverun"}; !slices.Equal(volumeNames(t, s), want) {
		t.Errorf("after Prune: %q, want %q", volumeNames(t, s), want)
	}
	if len(damaged) != 1 || !strings.HasPrefix(damaged[0], "volume damaged: ") {
		t.Errorf("Prune damaged = %q, want one line for the damaged volume", damaged)
	}
}
