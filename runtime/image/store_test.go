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

func TestTagRemoveList(t *testing.T) {
	s := openStore(t)
	a := importTiny(t, s, "app")
	if err := s.Tag("app", "registry.local/b:1"); err != nil {
		t.Fatal(err)
	}
	if err := s.Tag("app", "Bad"); err == nil || !strings.Contains(err.Error(), "lowercase") {
		t.Errorf("Tag to an invalid name: %v", err)
	}
	if err := s.Tag("nosuch", "c"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Tag of a missing image: %v", err)
	}
	b := mustGet(t, s, "registry.local/b:1")
	if b.ID != a.ID || !slices.Equal(b.RepoTags, []string{"app:latest", "registry.local/b:1"}) {
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
	if err := s.Remove("app"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(a.RootDir); err != nil {
		t.Errorf("removing one of two tags removed the data: %v", err)
	}
	if _, err := s.Get("app"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(a) after Remove: %v", err)
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

func TestRemoveByIDAndDangling(t *testing.T) {
	s := openStore(t)
	first := importTiny(t, s, "x")
	second := importTiny(t, s, "x") // takes the tag: first is left dangling
	if first.ID == second.ID {
		t.Fatal("two imports got the same ID")
	}
	dangling := mustGet(t, s, first.ID)
	if len(dangling.RepoTags) != 0 {
		t.Errorf("the replaced image still has tags %q", dangling.RepoTags)
	}
	if err := s.Remove(strings.TrimPrefix(first.ID, "sha256:")[:12]); err != nil {
		t.Fatal(err)
	}
	mustNotExist(t, filepath.Dir(first.RootDir))
	if err := s.Remove(second.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get("x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get(x) after removing its image by ID: %v", err)
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
	got := images[0].Inspect()
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

	bb := mustGet(t, s, "busybox").Inspect()["Config"].(map[string]any)
	for _, key := range []string{"Entrypoint", "Labels", "Volumes", "ExposedPorts"} {
		if bb[key] != nil {
			t.Errorf("busybox Config.%s = %#v, want nil (Docker shows null)", key, bb[key])
		}
	}
}
