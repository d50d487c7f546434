package store

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// dirEntries lists the names in dir, to spot leftover temporary files.
func dirEntries(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state")
	// A restrictive umask must not narrow the requested mode. (The store
	// tests do not run in parallel, so changing the umask is safe here.)
	defer unix.Umask(unix.Umask(0o077))

	if err := WriteFileAtomic(path, []byte("first"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(path, []byte("second"), 0o604); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "second" {
		t.Errorf("content = %q; want %q", got, "second")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o604 {
		t.Errorf("mode = %v; want %v", fi.Mode().Perm(), os.FileMode(0o604))
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"state"}) {
		t.Errorf("directory holds %q; want only the target", names)
	}
}

func TestWriteFileAtomicKeepsOldContentOnFailure(t *testing.T) {
	dir := t.TempDir()
	// A non-empty directory cannot be replaced by rename, so the write
	// fails after the temporary file has been written.
	target := filepath.Join(dir, "target")
	if err := os.MkdirAll(filepath.Join(target, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(target, []byte("data"), 0o644)
	if err == nil {
		t.Fatal("WriteFileAtomic over a directory succeeded")
	}
	if !strings.Contains(err.Error(), target) {
		t.Errorf("error %q does not name %q", err, target)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{"target"}) {
		t.Errorf("directory holds %q after a failed write; want the temporary file gone", names)
	}
	if fi, err := os.Stat(target); err != nil || !fi.IsDir() {
		t.Errorf("target changed after a failed write: %v, %v", fi, err)
	}
}

func TestWriteFileAtomicMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "such", "file")
	err := WriteFileAtomic(path, []byte("x"), 0o644)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("err = %v; want fs.ErrNotExist", err)
	}
}

func TestWriteFileAtomicLongName(t *testing.T) {
	dir := t.TempDir()
	name := strings.Repeat("n", 255) // NAME_MAX
	if err := WriteFileAtomic(filepath.Join(dir, name), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if names := dirEntries(t, dir); !slices.Equal(names, []string{name}) {
		t.Errorf("directory holds %q", names)
	}
}

func TestWriteFileAtomicReplacesSymlinkNotTarget(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	link := filepath.Join(dir, "link")
	if err := os.WriteFile(real, []byte("real"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(real); string(got) != "real" {
		t.Errorf("symlink target changed to %q", got)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink != 0 {
		t.Errorf("link is still a symlink: %v, %v", fi, err)
	}
	if got, _ := os.ReadFile(link); string(got) != "new" {
		t.Errorf("link path holds %q; want %q", got, "new")
	}
}

type record struct {
	Name string            `json:"name"`
	PID  int               `json:"pid"`
	Tags map[string]string `json:"tags,omitempty"`
}

func TestJSONRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rec.json")
	want := record{Name: "web", PID: 42, Tags: map[string]string{"a": "b"}}
	if err := WriteJSON(path, want); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	wantRaw := "{\n  \"name\": \"web\",\n  \"pid\": 42,\n  \"tags\": {\n    \"a\": \"b\"\n  }\n}\n"
	if string(raw) != wantRaw {
		t.Errorf("file = %q; want %q", raw, wantRaw)
	}
	var got record
	if err := ReadJSON(path, &got); err != nil {
		t.Fatal(err)
	}
	if got.Name != want.Name || got.PID != want.PID || got.Tags["a"] != "b" {
		t.Errorf("read back %+v; want %+v", got, want)
	}
}

func TestReadJSONErrors(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.json")
	var r record
	err := ReadJSON(missing, &r)
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("missing file: err = %v; want fs.ErrNotExist naming %q", err, missing)
	}

	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte("{not json"), 0o644); err != nil {
		t.Fatal(err)
	}
	err = ReadJSON(bad, &r)
	if err == nil || errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), bad) {
		t.Errorf("corrupt file: err = %v; want a decode error naming %q", err, bad)
	}
}

func TestWriteJSONUnencodable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	if err := WriteJSON(path, func() {}); err == nil {
		t.Fatal("WriteJSON of a func succeeded")
	}
	if _, err := os.Stat(path); !errors.Is(err, syscall.ENOENT) {
		t.Errorf("file exists after a failed encode: %v", err)
	}
	if names := dirEntries(t, dir); len(names) != 0 {
		t.Errorf("directory holds %q", names)
	}
}
