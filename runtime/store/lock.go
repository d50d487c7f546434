package store

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// Lock is a flock(2) lock on a file, exclusive or shared. flock locks belong to the
// open file description, so two LockFile calls exclude each other whether
// they come from different processes or from goroutines of one process. The
// kernel drops the lock if the process dies, so a crash never leaves shared
// state locked. A Lock is not safe for concurrent use by itself.
type Lock struct {
	path string
	file *os.File
}

// LockFile opens (creating if needed) the file at path and blocks until it
// holds an exclusive lock on it. The parent directory must exist.
func LockFile(path string) (*Lock, error) { return lockFile(path, unix.LOCK_EX) }

// RLockFile is LockFile with a shared lock: any number of shared holders
// exclude an exclusive one.
func RLockFile(path string) (*Lock, error) { return lockFile(path, unix.LOCK_SH) }

func lockFile(path string, how int) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("lock %q: %w", path, err)
	}
	for {
		err = unix.Flock(int(f.Fd()), how)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %q: %w", path, err)
	}
	return &Lock{path: path, file: f}, nil
}

// Unlock releases the lock and closes the file. Unlocking twice is an error.
func (l *Lock) Unlock() error {
	if l == nil || l.file == nil {
		return errors.New("unlock: lock is not held")
	}
	f := l.file
	l.file = nil
	// Unlock explicitly rather than rely on close: a copy of the descriptor
	// (e.g. inherited by a child) would otherwise keep the lock alive.
	unlockErr := unix.Flock(int(f.Fd()), unix.LOCK_UN)
	closeErr := f.Close()
	if unlockErr != nil {
		return fmt.Errorf("unlock %q: %w", l.path, unlockErr)
	}
	if closeErr != nil {
		return fmt.Errorf("unlock %q: %w", l.path, closeErr)
	}
	return nil
}
