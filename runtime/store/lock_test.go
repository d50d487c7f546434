package store

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"

	"golang.org/x/sys/unix"
)

// heldByOther reports whether another open file description holds a lock
// on path, probing without blocking.
func heldByOther(t *testing.T, path string) bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	err = unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB)
	if errors.Is(err, unix.EWOULDBLOCK) {
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false // closing f drops the probe's lock
}

func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "names.lock")
	l, err := LockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("lock file not created: %v", err)
	}
	if !heldByOther(t, path) {
		t.Error("lock not held after LockFile")
	}
	if err := l.Unlock(); err != nil {
		t.Fatal(err)
	}
	if heldByOther(t, path) {
		t.Error("lock still held after Unlock")
	}
	if err := l.Unlock(); err == nil {
		t.Error("second Unlock succeeded")
	}
}

func TestLockFileMissingDir(t *testing.T) {
	path := filepath.Join(t.TempDir(), "no", "x.lock")
	if _, err := LockFile(path); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("err = %v; want os.ErrNotExist", err)
	}
}

// TestLockSerialises runs read-modify-write cycles on a shared counter file
// from many goroutines; each takes the lock through its own LockFile call,
// as separate berth processes would.
func TestLockSerialises(t *testing.T) {
	dir := t.TempDir()
	lockPath := filepath.Join(dir, "counter.lock")
	counterPath := filepath.Join(dir, "counter")
	if err := os.WriteFile(counterPath, []byte("0"), 0o644); err != nil {
		t.Fatal(err)
	}
	const workers, rounds = 8, 50
	var inside atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for range workers {
		wg.Go(func() {
			for range rounds {
				if err := incrementLocked(lockPath, counterPath, &inside); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	data, err := os.ReadFile(counterPath)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(data), strconv.Itoa(workers*rounds); got != want {
		t.Errorf("counter = %s; want %s (updates were lost)", got, want)
	}
}

func incrementLocked(lockPath, counterPath string, inside *atomic.Int32) error {
	l, err := LockFile(lockPath)
	if err != nil {
		return err
	}
	defer l.Unlock()
	if n := inside.Add(1); n != 1 {
		return errors.New("two holders inside the lock at once")
	}
	defer inside.Add(-1)
	data, err := os.ReadFile(counterPath)
	if err != nil {
		return err
	}
	n, err := strconv.Atoi(string(data))
	if err != nil {
		return err
	}
	return WriteFileAtomic(counterPath, []byte(strconv.Itoa(n+1)), 0o644)
}

// Shared locks admit each other and exclude an exclusive one.
func TestRLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "records.lock")
	a, err := RLockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b, err := RLockFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !heldByOther(t, path) {
		t.Error("shared locks do not exclude an exclusive one")
	}
	got := make(chan *Lock)
	go func() {
		l, err := LockFile(path)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	if err := a.Unlock(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-got:
		t.Fatal("exclusive lock granted while a shared one is held")
	default:
	}
	if err := b.Unlock(); err != nil {
		t.Fatal(err)
	}
	if l := <-got; l != nil {
		_ = l.Unlock()
	}
}
