package volume

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	securejoin "github.com/cyphar/filepath-securejoin"
	"golang.org/x/sys/unix"
)

// ImageDir returns the host path of target (a path in the container, such
// as /var/lib/mysql) inside the root filesystem rootfs, resolving symlinks
// as the container would see them: a symlink in the image pointing to /etc
// leads to rootfs's /etc, never the host's. The path may not exist.
func ImageDir(rootfs, target string) (string, error) {
	p, err := securejoin.SecureJoin(rootfs, target)
	if err != nil {
		return "", fmt.Errorf("resolve %q in root filesystem %q: %w", target, rootfs, err)
	}
	return p, nil
}

// PrepareMount readies the volume name to be mounted over imageDir, the
// image's directory at the mount target (see ImageDir). Unless nocopy is
// set, an empty volume that has never had its copy-up gets imageDir's
// content, owner and mode (CopyUp) and is marked, so that it never gets
// them again, even when its users empty it.
//
// The mark is also set when the volume is found with content: it was
// filled by its users, and what they delete later must not be replaced by
// an image's files. It is not set when imageDir does not exist, nor with
// nocopy, since in both cases Docker would still copy at a later mount over
// image content; nocopy applies to one mount, as Docker's volume-nocopy does.
//
// If the copy fails, what it copied is removed and the volume is as before.
// The copy holds the store's lock: other changes to volumes wait for it.
func (s *Store) PrepareMount(name, imageDir string, nocopy bool) error {
	if nocopy {
		_, err := s.read(name)
		return err
	}
	return s.locked(func() error {
		rec, err := s.read(name)
		if err != nil || rec.CopiedUp {
			return err
		}
		data := s.dataDir(name)
		empty, err := isEmptyDir(data)
		if err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		if empty {
			var fi fs.FileInfo
			fi, err = os.Lstat(imageDir)
			if errors.Is(err, fs.ErrNotExist) || errors.Is(err, unix.ENOTDIR) || (err == nil && !fi.IsDir()) {
				return nil
			}
			if err != nil {
				return fmt.Errorf("copy up into volume %s: %w", name, err)
			}
			var before unix.Stat_t
			if err := unix.Lstat(data, &before); err != nil {
				return fmt.Errorf("copy up into volume %s: %w", name, &os.PathError{Op: "lstat", Path: data, Err: err})
			}
			if err := copyUp(imageDir, data, s.copyHook); err != nil {
				return fmt.Errorf("copy up into volume %s: %w", name, restore(data, &before, err))
			}
			rec.CopiedUp = true
			if err := s.write(rec); err != nil {
				return fmt.Errorf("copy up into volume %s: %w", name, restore(data, &before, err))
			}
			return nil
		}
		rec.CopiedUp = true
		if err := s.write(rec); err != nil {
			return fmt.Errorf("volume %s: %w", name, err)
		}
		return nil
	})
}

// restore undoes a failed copy-up: it empties data and gives it back the
// metadata in before. It returns cause, joined with any failure to restore.
func restore(data string, before *unix.Stat_t, cause error) error {
	errs := []error{cause}
	names, err := readNames(data)
	if err != nil {
		errs = append(errs, fmt.Errorf("undo copy: %w", err))
	}
	for _, n := range names {
		if err := os.RemoveAll(filepath.Join(data, n)); err != nil {
			errs = append(errs, fmt.Errorf("undo copy: %w", err))
		}
	}
	// Attributes copied onto data itself stay: only the last step of a
	// copy sets them, and a failure there is rare.
	if err := setOwnerMode(data, before); err != nil {
		errs = append(errs, fmt.Errorf("undo copy: %w", err))
	}
	if err := setTimes(data, before); err != nil {
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
