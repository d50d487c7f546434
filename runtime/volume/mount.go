package volume

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
)

// PrepareMount readies the volume name to be mounted at target, a path in
// the container whose root filesystem is image. Unless nocopy is set, an
// empty volume that has never had its copy-up gets the content, owner and
// mode of the image's directory at target (CopyUp), symlinks resolved as
// the container would see them (a symlink in the image pointing to /etc
// leads to the image's /etc, never the host's), and is marked, so that it
// never gets them again, even when its users empty it.
//
// The mark is also set when the volume is found with content: it was
// filled by its users, and what they delete later must not be replaced by
// an image's files. It is not set when the image has no directory at
// target, nor with nocopy, since in both cases Docker would still copy at a
// later mount over image content; nocopy applies to one mount, as Docker's
// volume-nocopy does.
//
// If the copy fails, what it copied is removed and the volume is as before.
// The copy holds the store's lock: other changes to volumes wait for it.
func (s *Store) PrepareMount(name string, image *fsroot.Root, target string, nocopy bool) error {
	if nocopy {
		_, err := s.read(name)
		return err
	}
	return s.locked(func() error {
		rec, err := s.read(name)
		if err != nil || rec.CopiedUp {
			return err
		}
		empty, err := isEmptyDir(s.dataDir(name))
		if err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		if empty {
			return s.copyUp(rec, image, target)
		}
		rec.CopiedUp = true
		if err := s.write(rec); err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		return nil
	})
}

// copyUp fills the empty volume of rec from the image's directory at
// target, if there is one, and marks it. The caller holds the lock.
func (s *Store) copyUp(rec record, image *fsroot.Root, target string) error {
	src, err := image.OpenDir(target)
	if notADir(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, err)
	}
	defer src.Close()
	data, err := fsroot.Open(s.dataDir(rec.Name))
	if err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, err)
	}
	defer data.Close()
	top, err := data.OpenDir("/")
	if err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, err)
	}
	defer top.Close()
	var before unix.Stat_t
	if err := unix.Fstat(int(top.Fd()), &before); err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, err)
	}
	if err := copyTree(src, data, s.copyHook); err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, restore(s.dataDir(rec.Name), top, &before, err))
	}
	rec.CopiedUp = true
	if err := s.write(rec); err != nil {
		return fmt.Errorf("copy up into volume %s: %w", rec.Name, restore(s.dataDir(rec.Name), top, &before, err))
	}
	return nil
}

// restore undoes a failed copy-up: it empties data, whose directory is
// open as top, and gives it back the metadata in before. It returns cause,
// joined with any failure to restore.
func restore(data string, top *os.File, before *unix.Stat_t, cause error) error {
	errs := []error{cause}
	names, err := top.Readdirnames(-1)
	if err != nil {
		errs = append(errs, fmt.Errorf("undo copy: %w", err))
	}
	for _, n := range names {
		// RemoveAll works through descriptors below data, a path of
		// berth's own: symlinks in the volume are removed, not followed.
		if err := os.RemoveAll(filepath.Join(data, n)); err != nil {
			errs = append(errs, fmt.Errorf("undo copy: %w", err))
		}
	}
	// Attributes copied onto data itself stay: only the last step of a
	// copy sets them, and a failure there is rare.
	if err := setOwnerMode(top, before); err != nil {
		errs = append(errs, fmt.Errorf("undo copy: %w", err))
	}
	if err := setTimes(top, before); err != nil {
		errs = append(errs, fmt.Errorf("undo copy: %w", err))
	}
	return errors.Join(errs...)
}

// NeedsCopyUp reports whether a mount of the volume over image content
// would copy it up: the volume is empty and has never had its copy-up.
func (s *Store) NeedsCopyUp(name string) (bool, error) {
	rec, err := s.read(name)
	if err != nil {
		return false, err
	}
	if rec.CopiedUp {
		return false, nil
	}
	empty, err := isEmptyDir(s.dataDir(name))
	if err != nil {
		return false, fmt.Errorf("volume %s: %w", name, err)
	}
	return empty, nil
}

// MarkCopiedUp records that the volume has had its copy-up, for a caller
// that fills the volume by other means.
func (s *Store) MarkCopiedUp(name string) error {
	return s.locked(func() error {
		rec, err := s.read(name)
		if err != nil || rec.CopiedUp {
			return err
		}
		rec.CopiedUp = true
		if err := s.write(rec); err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		return nil
	})
}

func isEmptyDir(dir string) (bool, error) {
	f, err := os.Open(dir)
	if err != nil {
		return false, err
	}
	defer f.Close()
	_, err = f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	if err != nil {
		return false, fmt.Errorf("read %q: %w", dir, err)
	}
	return false, nil
}
