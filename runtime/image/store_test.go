package image

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func importTiny(t *testing.T, s *Store, ref string) *Image {
	t.Helper()
	src := t.TempDir()
	writeFile(t, filepath.Join(src, "hello"), []byte(ref))
	img, err := s.ImportRootfs(src, ref)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func TestGetNotFound(t *testing.T) {
	s := openStore(t)
	tests := []struct{ ref, want string }{
		{"nosuch", "No such image: nosuch:latest"},
		{"nosuch:v2", "No such image: nosuch:v2"},
		{"docker.io/library/nosuch", "No such image: nosuch:latest"},
		{"sha256:" + strings.Repeat("0", 64), "No such image: sha256:" + strings.Repeat("0", 64)},
	}
	for _, tt := range tests {
		_, err := s.Get(tt.ref)
		if !errors.Is(err, ErrNotFound) || err.Error() != tt.want {
			t.Errorf("Get(%q) error %q, want %q wrapping ErrNotFound", tt.ref, err, tt.want)
		}
	}
	if _, err := s.Get("No Such"); err == nil || errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "invalid image reference") {
		t.Errorf("Get of an invalid reference: %v", err)
	}
}

// The name is not hex: "a" would also be read as an ID prefix, and match
// the image whenever its random ID starts with an a.
func TestTagRemoveList(t *testing.T) {
	s := openStore(t)
	a := importTiny(t, s, "mine")
	if err := s.Tag("mine", "registry.local/b:1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("mine", "Bad"); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Errorf("Tag to an invalid name: %v", err)
	}
	if err := s.Tag("nosuch", "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Tag of a missing image: %v", err)
	}
	b := mustGet(t, s, "registry.local/b:1")
	if b.ID != a.ID || !slices.Equal(b.RepoTags, []string{"mine:latest", "registry.local/b:1"}) {
		t.Errorf("after Tag: %s %q, want %s with both tags", b.ID, b.RepoTags, a.ID)
	}

	list, err := s.List()
	if err != nil {
		t.Fatal(err)
	}
	var tags [][]string
	for _, img := range list {
		tags = append(tags, img.RepoTags)
	}
	if len(list) != 2 || !slices.Equal(list[0].RepoTags, b.RepoTags) || !slices.Equal(list[1].RepoTags, []string{"busybox:latest"}) {
		t.Errorf("List tags = %q, want the import (newest) then busybox", tags)
	}

	// An ID names the image, which has two tags: Docker refuses without force.
	if err := s.Remove(a.ID[:19]); !errors.Is(err, ErrConflict) || !strings.Contains(err.Error(), "referenced in multiple repositories") {
		t.Errorf("Remove by ID of a twice-tagged image: %v", err)
	}
	if err := s.Remove("mine"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a.RootDir); err != nil {
		t.Errorf("removing one of two tags removed the data: %v", err)
	}
	if _, err := s.Get("mine"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(mine) after Remove: %v", err)
	}
	if err := s.Remove("registry.local/b:1"); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Dir(a.RootDir))
	if err := s.Remove("registry.local/b:1"); !errors.Is(err, ErrNotFound) || err.Error() != "No such image: registry.local/b:1" {
		t.Errorf("second Remove: %v", err)
	}
	if n := imageDirs(t, s); n != 1 {
		t.Errorf("%d image directories, want only busybox", n)
	}
}

func TestRemoveByID(t *testing.T) {
	s := openStore(t)
	img := importTiny(t, s, "x")
	if err := s.Remove(strings.TrimPrefix(img.ID, "sha256:")[:12]); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Dir(img.RootDir))
	if _, err := s.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(x) after removing its image by ID: %v", err)
	}
}

// A tag that moves to another image takes the old one with it, when it
// has no other tag and no container uses it: Docker leaves it dangling,
// and a suite importing its image on every run piled one up per run.
func TestMovedTagTakesTheOldImage(t *testing.T) {
	s := openStore(t)
	first := importTiny(t, s, "x")
	kept := importTiny(t, s, "y")
	if err := s.Tag("y", "z"); err != nil {
		t.Fatal(err)
	}
	second := importTiny(t, s, "x") // an import under a taken name
	if first.ID == second.ID {
		t.Fatal("two imports got the same ID")
	}
	mustNotExist(t, filepath.Dir(first.RootDir))
	if err := s.Tag("y", "x"); err != nil { // a tag moved by Tag
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Dir(second.RootDir))
	importTiny(t, s, "y") // y moves; kept still has x and z
	if got := mustGet(t, s, kept.ID); !slices.Equal(got.RepoTags, []string{"x:latest", "z:latest"}) {
		t.Errorf("the image that keeps tags: %q", got.RepoTags)
	}
	if n := imageDirs(t, s); n != 2 {
		t.Errorf("%d image directories, want 2 (x and z's, y's)", n)
	}
}

// An image in use when its tag moves stays, untagged, until Prune finds
// it unused; Prune never takes a tagged image or one in use.
func TestPrune(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a root filesystem needs root")
	}
	s := openStore(t)
	busybox := mustGet(t, s, "busybox")
	first := importTiny(t, s, "x")
	ctr := t.TempDir()
	if _, err := MountRootfs(first, ctr, false); err != nil {
		t.Fatal(err)
	}
	mounted := true
	t.Cleanup(func() {
		if mounted {
			_ = UnmountRootfs(ctr)
		}
	})
	second := importTiny(t, s, "x")
	if got := mustGet(t, s, first.ID); len(got.RepoTags) != 0 {
		t.Fatalf("the replaced image still has tags %q", got.RepoTags)
	}
	if removed, _, err := s.Prune(false); err != nil || len(removed) != 0 {
		t.Errorf("Prune while a container uses the untagged image = %q, %v; want nothing", removed, err)
	}
	if err := UnmountRootfs(ctr); err != nil {
		t.Fatal(err)
	}
	mounted = false
	removed, _, err := s.Prune(false)
	if err != nil || !slices.Equal(removed, []string{first.ID}) {
		t.Errorf("Prune = %q, %v; want [%s]", removed, err, first.ID)
	}
	mustNotExist(t, filepath.Dir(first.RootDir))
	for _, img := range []*Image{busybox, second} {
		if _, err := os.Stat(filepath.Join(s.dir, strings.TrimPrefix(img.ID, "sha256:"))); err != nil {
			t.Errorf("Prune removed the tagged image %s: %v", img.RepoTags, err)
		}
	}
	if removed, _, err := s.Prune(false); err != nil || len(removed) != 0 {
		t.Errorf("second Prune = %q, %v", removed, err)
	}
	if n := imageDirs(t, s); n != 2 {
		t.Errorf("%d image directories, want busybox and x", n)
	}
	// prune -a: every image no container uses, tagged or not; the bytes
	// freed are counted.
	removed, reclaimed, err := s.Prune(true)
	if err != nil || len(removed) != 2 || reclaimed <= 0 {
		t.Errorf("Prune(all) = %q, %d bytes, %v; want busybox and x, some bytes", removed, reclaimed, err)
	}
	if n := imageDirs(t, s); n != 0 {
		t.Errorf("%d image directories after Prune(all), want 0", n)
	}
	if n, err := s.LayerCount(); err != nil || n != 0 {
		t.Errorf("%d layers after Prune(all) (%v), want 0", n, err)
	}
	if _, err := s.Get("x"); err == nil {
		t.Errorf("x is still tagged after Prune(all)")
	}
}

// A tag table that cannot be decoded stops nothing: Open moves it aside,
// says so, and the images stay, untagged; busybox is tagged again on use.
func TestDamagedTagsAreMovedAside(t *testing.T) {
	for _, tt := range []struct{ name, content string }{
		{"garbage", "\x00\x01 not json"},
		{"truncated", `{"busybox:latest": "sha256:01`},
		{"empty", ""},
		{"a list", `["busybox:latest"]`},
		{"not an id", `{"busybox:latest": "latest"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s := openStore(t)
			img := importTiny(t, s, "x")
			path := writeFile(t, filepath.Join(s.dir, reposFile), []byte(tt.content))
			if _, err := s.Get("x"); err == nil || !strings.Contains(err.Error(), path+" is damaged") {
				t.Errorf("Get with a damaged table: %v; want it to name the file", err)
			}
			s, err := Open(s.dir)
			if err != nil {
				t.Fatal(err)
			}
			if msg := s.Repaired(); !strings.Contains(msg, path+" was damaged") || !strings.Contains(msg, "moved it to "+path+".damaged-") || strings.Contains(msg, "\n") {
				t.Errorf("Repaired() = %q, want one line saying where the table went", msg)
			}
			if got := mustGet(t, s, img.ID); len(got.RepoTags) != 0 {
				t.Errorf("image after the repair: tags %q, want none", got.RepoTags)
			}
			if got := mustGet(t, s, "busybox"); !slices.Equal(got.RepoTags, []string{"busybox:latest"}) {
				t.Errorf("busybox after the repair: %q", got.RepoTags)
			}
			if again, err := Open(s.dir); err != nil || again.Repaired() != "" {
				t.Errorf("second Open: %q, %v; want nothing to repair", again.Repaired(), err)
			}
		})
	}
}

func TestAmbiguousIDPrefix(t *testing.T) {
	s := openStore(t)
	// Sixteen images are sure to share a first hex digit with another.
	seen := map[byte]bool{}
	var prefix string
	for i := 0; prefix == ""; i++ {
		img := importTiny(t, s, "img"+string(rune('a'+i)))
		c := img.ID[7]
		if seen[c] {
			prefix = string(c)
		}
		seen[c] = true
	}
	if _, err := s.Get(prefix); !errors.Is(err, ErrConflict) {
		// a one-digit prefix is also a valid name, so it must fall through to the ID match
		t.Errorf("Get(%q) with two matching images: %v", prefix, err)
	}
}

func TestInspect(t *testing.T) {
	s := openStore(t)
	images, err := s.Load(dockerSaveDir(t, testLayers(t), testConfig, []string{"app"}))
	if err != nil {
		t.Fatal(err)
	}
	got := images[0].Info().Inspect()
	cfg := got["Config"].(map[string]any)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Id", got["Id"], images[0].ID},
		{"Created", got["Created"], "2022-01-02T03:04:05Z"},
		{"Os", got["Os"], "linux"},
		{"Architecture", got["Architecture"], "amd64"},
		{"Size", got["Size"], images[0].Size},
		{"User", cfg["User"], "daemon"},
		{"WorkingDir", cfg["WorkingDir"], "/srv"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %#v, want %#v", c.name, c.got, c.want)
		}
	}
	if tags, ok := got["RepoTags"].([]any); !ok || len(tags) != 1 || tags[0] != "app:latest" {
		t.Errorf("RepoTags = %#v", got["RepoTags"])
	}
	if cmd, ok := cfg["Cmd"].([]any); !ok || len(cmd) != 1 || cmd[0] != "serve" {
		t.Errorf("Cmd = %#v", cfg["Cmd"])
	}
	ports, ok := cfg["ExposedPorts"].(map[string]any)
	if _, has := ports["80/tcp"]; !ok || !has || len(ports) != 2 {
		t.Errorf("ExposedPorts = %#v", cfg["ExposedPorts"])
	}
	if labels, ok := cfg["Labels"].(map[string]any); !ok || labels["a"] != "b" {
		t.Errorf("Labels = %#v", cfg["Labels"])
	}
	if vols, ok := cfg["Volumes"].(map[string]any); !ok || len(vols) != 1 {
		t.Errorf("Volumes = %#v", cfg["Volumes"])
	}

	bb := mustGet(t, s, "busybox").Info().Inspect()["Config"].(map[string]any)
	for _, key := range []string{"Entrypoint", "Labels", "Volumes", "ExposedPorts"} {
		if bb[key] != nil {
			t.Errorf("busybox Config.%s = %#v, want nil (Docker shows null)", key, bb[key])
		}
	}
}
