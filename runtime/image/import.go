package image

import (
	"archive/tar"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ImportRootfs makes an image from a root filesystem: a directory or a tar
// archive (plain, gzip or bzip2), like `docker import`. The image runs with
// Docker's default PATH and no command.
func (s *Store) ImportRootfs(path, ref string) (*Image, error) {
	tag, err := NormalizeRef(ref)
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("import %q: %w", path, err)
	}
	var fill func(root *os.Root) (int64, error)
	switch {
	case fi.IsDir():
		fill = func(root *os.Root) (int64, error) { return copyTree(path, root) }
	case fi.Mode().IsRegular():
		fill = func(root *os.Root) (int64, error) { return extractFile(path, root, false) }
	default:
		return nil, fmt.Errorf("import %q: want a directory or a tar archive, got a %s", path, fi.Mode().Type())
	}
	img, err := s.create([]string{tag}, func(rootfs string) ([]byte, int64, error) {
		root, err := os.OpenRoot(rootfs)
		if err != nil {
			return nil, 0, err
		}
		defer root.Close()
		size, err := fill(root)
		if err != nil {
			return nil, 0, err
		}
		abs, _ := filepath.Abs(path)
		config, _, err := encodeConfig(newConfigFile(time.Now(), nil, "imported from "+abs))
		return config, size, err
	})
	if err != nil {
		return nil, fmt.Errorf("import %q: %w", path, err)
	}
	return img, nil
}

// extractFile applies the tar archive at path to root as one layer.
func extractFile(path string, root *os.Root, whiteouts bool) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	x := newExtractor(root, whiteouts)
	if err := x.applyTar(f); err != nil {
		return 0, err
	}
	return x.size, nil
}

// copyTree copies the directory src into root through the same extractor
// as archives, so owners, modes, times, symlinks, hard links and devices
// are kept the same way. Sockets are skipped (tar cannot hold them either),
// and so is src's own metadata.
func copyTree(src string, root *os.Root) (int64, error) {
	x := newExtractor(root, false)
	type inode struct{ dev, ino uint64 }
	seen := map[inode]string{}
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type()&fs.ModeSocket != 0 {
			return nil
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		if rel == "." {
			// The source directory's own owner and mode say where it was
			// made (a temporary directory is 0700), not what the image's
			// root should be: that stays root's and 0755, so a
			// non-root user of the image can reach its files.
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		var link string
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		hdr.Name = filepath.ToSlash(rel)
		hdr.Uname, hdr.Gname = "", ""
		if st, ok := fi.Sys().(*syscall.Stat_t); ok {
			hdr.AccessTime = time.Unix(st.Atim.Unix())
			if fi.Mode().IsRegular() && st.Nlink > 1 {
				key := inode{st.Dev, st.Ino}
				if first, ok := seen[key]; ok {
					hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
				} else {
					seen[key] = hdr.Name
				}
			}
		}
		var body io.Reader = eofReader{}
		if hdr.Typeflag == tar.TypeReg {
			f, err := os.Open(p)
			if err != nil {
				return err
			}
			defer f.Close()
			body = f
		}
		return x.applyEntry(hdr, body)
	})
	if err != nil {
		return 0, fmt.Errorf("copy %q: %w", src, err)
	}
	if err := x.endLayer(); err != nil {
		return 0, err
	}
	return x.size, nil
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
