package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
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
