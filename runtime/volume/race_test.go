package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"berth/runtime/fsroot"
)

// A container sharing a volume may swap a directory the copy-up has
// just made for a symlink to a host directory. The copy must never follow
// it: 1,000 copy-ups race such a swapper and the host directory stays as
// it was. (The old copy, by path names, wrote into it within a few tries.)
func TestCopyUpRaceWithSymlinkSwap(t *testing.T) {
	requireRoot(t)
	bait := t.TempDir()
	writeFile(t, filepath.Join(bait, "secret"), "host", 0o644)
	image := filepath.Join(t.TempDir(), "usr")
	for i := range 4 {
		writeFile(t, filepath.Join(image, "bin", fmt.Sprintf("tool%d", i)), "image file", 0o755)
	}
	writeFile(t, filepath.Join(image, "bin", "sub", "deep"), "image file", 0o644)
	base := t.TempDir()

	var data atomic.Pointer[string] // the volume being copied into
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if d := data.Load(); d != nil {
				bin, old := filepath.Join(*d, "bin"), filepath.Join(*d, "old")
				if os.Rename(bin, old) == nil {
					_ = os.Symlink(bait, bin)
					_ = os.RemoveAll(old)
				}
			}
		}
	}()
	failed := 0
	for i := range 1000 {
		dst := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		data.Store(&dst)
		if err := CopyUp(image, dst); err != nil {
			failed++
		}
		data.Store(nil)
		if list, _ := os.ReadDir(bait); len(list) != 1 {
			close(stop)
			wg.Wait()
			t.Fatalf("copy-up %d wrote into the host directory: it holds %d entries", i, len(list))
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d of 1000 copy-ups caught the swap and failed", failed)
}

// A hard link is made to the first copy of its inode only: if the name
// of that copy now holds another file, the copy fails rather than link
// whatever is there.
func TestCopyUpLinksOnlyToItsOwnFirstCopy(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	writeFile(t, filepath.Join(src, "a"), "image", 0o644)
	if err := os.Link(filepath.Join(src, "a"), filepath.Join(src, "b")); err != nil {
		t.Fatal(err)
	}
	s, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	d, err := fsroot.Open(dst)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	first := ""
	hook := func(p string) error {
		if first == "" {
			first = p
			return nil
		}
		// The second name: swap the first copy for another file.
		other := filepath.Join(dst, "other")
		writeFile(t, other, "not the image's", 0o644)
		return os.Rename(other, filepath.Join(dst, first))
	}
	err = copyTree(s, d, hook)
	if err == nil || !strings.Contains(err.Error(), "its first name "+first+" changed during the copy") {
		t.Fatalf("copy with the first copy swapped = %v", err)
	}
	if st := lstat(t, filepath.Join(dst, first)); st.Nlink != 1 {
		t.Errorf("the swapped-in file has %d links, want 1: it was linked to", st.Nlink)
	}
}
