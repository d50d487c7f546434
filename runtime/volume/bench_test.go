package volume

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// BenchmarkCopyUp1000Files copies 10 directories of 100 files of 100 bytes.
// The target is 100 ms per copy.
func BenchmarkCopyUp1000Files(b *testing.B) {
	src := filepath.Join(b.TempDir(), "src")
	content := strings.Repeat("x", 100)
	for d := range 10 {
		for f := range 100 {
			writeFile(b, filepath.Join(src, fmt.Sprintf("dir%d", d), fmt.Sprintf("file%03d", f)), content, 0o644)
		}
	}
	base := b.TempDir()
	b.ResetTimer()
	for i := range b.N {
		b.StopTimer()
		dst := filepath.Join(base, fmt.Sprint(i))
		if err := os.Mkdir(dst, 0o755); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if err := CopyUp(src, dst); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		if err := os.RemoveAll(dst); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}
