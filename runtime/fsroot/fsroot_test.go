package fsroot

import (
	"errors"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

func write(t *testing.T, p, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, p string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Fatal(err)
	}
}

func openRoot(t *testing.T, dir string) *Root {
	t.Helper()
	r, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// bait is a host directory outside every root, holding one file.
func bait(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	write(t, filepath.Join(dir, "secret"), "host")
	return dir
}

func checkBait(t *testing.T, dir string) {
	t.Helper()
	list, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name() != "secret" {
		t.Errorf("the directory outside the root holds %d entries, want only secret", len(list))
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "secret")); string(data) != "host" {
		t.Errorf("the file outside the root holds %q, want it untouched", data)
	}
}

func TestReadFileStaysInRoot(t *testing.T) {
	out := bait(t)
	root := t.TempDir()
	write(t, filepath.Join(root, "etc", "passwd"), "inside")
	write(t, filepath.Join(root, out, "secret"), "the root's copy")
	symlink(t, "/etc", filepath.Join(root, "abs"))
	symlink(t, "../../../../../../../etc", filepath.Join(root, "a", "b", "rel"))
	symlink(t, out, filepath.Join(root, "host"))
	symlink(t, "/proc/self/root/etc", filepath.Join(root, "magic"))
	r := openRoot(t, root)
	tests := []struct{ path, want string }{
		{"/etc/passwd", "inside"},
		{"etc/passwd", "inside"},
		{"/../../etc/passwd", "inside"},
		{"/abs/passwd", "inside"},
		{"/a/b/rel/passwd", "inside"},
		{"/host/secret", "the root's copy"},
	}
	for _, tt := range tests {
		got, err := r.ReadFile(tt.path, MaxReadFile)
		if err != nil || string(got) != tt.want {
			t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
	// Inside the root, /proc/self/root is only a path that does not exist.
	if _, err := r.ReadFile("/magic/passwd", MaxReadFile); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("ReadFile through a symlink into /proc = %v, want not found", err)
	}
}

func TestMagicLinksAreRefused(t *testing.T) {
	r := openRoot(t, "/proc/self")
	_, err := r.ReadFile("root/etc/hostname", MaxReadFile)
	if !errors.Is(err, unix.ELOOP) {
		t.Errorf("ReadFile through /proc/self/root = %v, want ELOOP", err)
	}
}

func TestReadFileRefusesWhatIsNotARegularFile(t *testing.T) {
	root := t.TempDir()
	if err := unix.Mkfifo(filepath.Join(root, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, "dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", filepath.Join(root, "sock"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	tests := []struct{ path, kind string }{
		{"fifo", "a named pipe"}, // with no writer: opening it for reading would block
		{"dir", "a directory"},
		{"sock", "a socket"},
	}
	if unix.Mknod(filepath.Join(root, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))) == nil {
		tests = append(tests, struct{ path, kind string }{"null", "a character device"})
	}
	r := openRoot(t, root)
	for _, tt := range tests {
		_, err := r.ReadFile(tt.path, MaxReadFile)
		var nr *NotRegularError
		if !errors.As(err, &nr) || nr.Kind != tt.kind || !strings.HasSuffix(err.Error(), "not a regular file ("+tt.kind+")") {
			t.Errorf("ReadFile(%s) = %v, want not a regular file (%s)", tt.path, err, tt.kind)
		}
		err = r.WriteFile(tt.path, []byte("x"), 0o644)
		if !errors.As(err, &nr) || nr.Kind != tt.kind {
			t.Errorf("WriteFile(%s) = %v, want not a regular file (%s)", tt.path, err, tt.kind)
		}
	}
}

func TestReadFileLimit(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "ten"), "0123456789")
	r := openRoot(t, root)
	if got, err := r.ReadFile("ten", 10); err != nil || string(got) != "0123456789" {
		t.Errorf("ReadFile at the limit = %q, %v", got, err)
	}
	_, err := r.ReadFile("ten", 9)
	var tl *TooLargeError
	if !errors.As(err, &tl) || err.Error() != "the file has 10 bytes, more than the limit of 9 (9 bytes)" {
		t.Errorf("ReadFile over the limit = %v", err)
	}
	if got := (&TooLargeError{Size: 67108865, Limit: MaxReadFile}).Error(); got != "the file has 67108865 bytes, more than the limit of 67108864 (64 MiB)" {
		t.Errorf("TooLargeError = %q", got)
	}
}

// Files in /proc report size 0: the limit holds on what is read.
func TestReadAtMost(t *testing.T) {
	tests := []struct {
		content     string
		size, limit int64
		want        int
	}{
		{"hello", 0, 100, 5},
		{"hello", 5, 5, 5},
		{"hello", 0, 3, 4}, // one byte over: the caller's sign of too large
		{"", 0, 10, 0},
	}
	for _, tt := range tests {
		got, err := readAtMost(strings.NewReader(tt.content), tt.size, tt.limit)
		if err != nil || len(got) != tt.want || string(got) != tt.content[:tt.want] {
			t.Errorf("readAtMost(%q, size %d, limit %d) = %q, %v; want %d bytes", tt.content, tt.size, tt.limit, got, err, tt.want)
		}
	}
	proc := openRoot(t, "/proc/self")
	if data, err := proc.ReadFile("status", MaxReadFile); err != nil || !strings.HasPrefix(string(data), "Name:") {
		t.Errorf("ReadFile(/proc/self/status) = %q, %v", data, err)
	}
	_, err := proc.ReadFile("status", 10)
	if err == nil || err.Error() != "the file has more than 10 bytes, more than the limit of 10 (10 bytes)" {
		t.Errorf("ReadFile of a size-0 proc file over the limit = %v", err)
	}
}

func TestWriteFile(t *testing.T) {
	out := bait(t)
	root := t.TempDir()
	write(t, filepath.Join(root, "existing"), "old content that is longer")
	symlink(t, "/target", filepath.Join(root, "abs"))
	write(t, filepath.Join(root, "target"), "to be replaced")
	symlink(t, out, filepath.Join(root, "host"))
	if err := os.MkdirAll(filepath.Join(root, out), 0o755); err != nil {
		t.Fatal(err)
	}
	symlink(t, "/nowhere", filepath.Join(root, "dangling"))
	symlink(t, "/nowhere/dir", filepath.Join(root, "dangling-dir"))
	r := openRoot(t, root)
	tests := []struct {
		path, host string // written path, where it must land under root
	}{
		{"/new", "new"},
		{"/a/b/c/new", "a/b/c/new"},
		{"/existing", "existing"},
		{"/abs", "target"},
		{"/host/secret", out + "/secret"},
		{"/host/new", out + "/new"},
		{"/../../escape", "escape"},
	}
	for _, tt := range tests {
		if err := r.WriteFile(tt.path, []byte("written"), 0o644); err != nil {
			t.Errorf("WriteFile(%s) = %v", tt.path, err)
			continue
		}
		if got, err := os.ReadFile(filepath.Join(root, tt.host)); err != nil || string(got) != "written" {
			t.Errorf("after WriteFile(%s): root/%s = %q, %v", tt.path, tt.host, got, err)
		}
	}
	err := r.WriteFile("/dangling", []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "a symlink to a missing file") {
		t.Errorf("WriteFile through a dangling symlink = %v", err)
	}
	if err := r.WriteFile("/dangling-dir/x", []byte("x"), 0o644); !errors.Is(err, unix.ENOTDIR) {
		t.Errorf("WriteFile below a dangling symlink = %v, want ENOTDIR", err)
	}
	if err := r.WriteFile("/existing/below", []byte("x"), 0o644); !errors.Is(err, unix.ENOTDIR) {
		t.Errorf("WriteFile below a file = %v, want ENOTDIR", err)
	}
	checkBait(t, out)
}

// swap keeps replacing dir/sub, a directory holding a file named secret,
// with a symlink to target, until stop is closed.
func swap(t *testing.T, dir, target string, stop chan struct{}) *sync.WaitGroup {
	t.Helper()
	sub := filepath.Join(dir, "sub")
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
			_ = os.RemoveAll(sub)
			_ = os.Mkdir(sub, 0o755)
			_ = os.WriteFile(filepath.Join(sub, "secret"), []byte("inside"), 0o644)
			_ = os.RemoveAll(sub)
			_ = os.Symlink(target, sub)
		}
	}()
	return &wg
}

// The race a container runs against read_file and write_file: whatever
// it swaps in, nothing outside the root is read or written.
func TestRaceWithSymlinkSwap(t *testing.T) {
	out := bait(t)
	root := t.TempDir()
	r := openRoot(t, root)
	stop := make(chan struct{})
	wg := swap(t, root, out, stop)
	var inside atomic.Int64
	for i := range 1000 {
		_ = r.WriteFile("/sub/pwned", []byte("x"), 0o644)
		_ = r.MkdirAll("/sub/made/deeper", 0o755)
		data, err := r.ReadFile("/sub/secret", MaxReadFile)
		if err == nil && string(data) == "host" {
			close(stop)
			wg.Wait()
			t.Fatalf("call %d: ReadFile read the file outside the root", i)
		}
		if err == nil {
			inside.Add(1)
		}
	}
	close(stop)
	wg.Wait()
	checkBait(t, out)
	t.Logf("%d of 1000 reads found the directory's own file", inside.Load())
}

func TestOpenBeneath(t *testing.T) {
	out := bait(t)
	base := t.TempDir()
	root := filepath.Join(base, "suite")
	write(t, filepath.Join(root, "lib", "x.star"), "inside")
	write(t, filepath.Join(base, "beside.star"), "beside")
	symlink(t, "lib/x.star", filepath.Join(root, "rel-in"))
	symlink(t, filepath.Join(out, "secret"), filepath.Join(root, "abs-out"))
	symlink(t, "../beside.star", filepath.Join(root, "rel-out"))
	symlink(t, "/proc/self/root"+out, filepath.Join(root, "magic"))
	r, err := OpenBeneath(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	tests := []struct {
		path string
		want string // content, or "" for EXDEV
	}{
		{"lib/x.star", "inside"},
		{"rel-in", "inside"},
		{"lib/../lib/x.star", "inside"},
		{"../beside.star", ""},
		{"/etc/hostname", ""},
		{"abs-out", ""},
		{"rel-out", ""},
		{"magic/secret", ""},
	}
	for _, tt := range tests {
		got, err := r.ReadFile(tt.path, MaxReadFile)
		switch {
		case tt.want == "" && !errors.Is(err, unix.EXDEV):
			t.Errorf("ReadFile(%s) = %q, %v; want EXDEV", tt.path, got, err)
		case tt.want != "" && (err != nil || string(got) != tt.want):
			t.Errorf("ReadFile(%s) = %q, %v; want %q", tt.path, got, err, tt.want)
		}
	}
	if err := r.MkdirAll("new", 0o755); err == nil {
		t.Error("MkdirAll on a root opened with OpenBeneath succeeded")
	}
}
