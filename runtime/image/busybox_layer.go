package image

import (
	"archive/tar"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// busyboxLayered builds the busybox image as a one-layer image in the layer
// store: the root filesystem is built in a work directory, packed into a
// tar (every time stamp the host binary's, owner root, so the same binary
// gives the same layer and ID) and loaded like any image. A busybox tag on
// a flat image from an older berth moves to the new image, which takes the
// flat one along (dropUntagged) unless a container still uses it: flat
// images are rebuilt on first use, not migrated.
func (s *Store) busyboxLayered(bin os.FileInfo) (*Image, error) {
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"busybox-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	rootfs := filepath.Join(work, rootfsName)
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return nil, err
	}
	if _, err := buildBusyboxRootfs(s.busybox, rootfs); err != nil {
		return nil, err
	}
	diffID, err := tarDir(rootfs, filepath.Join(work, "layer.tar"), bin.ModTime())
	if err != nil {
		return nil, err
	}
	cf := newConfigFile(bin.ModTime(), []string{"sh"},
		fmt.Sprintf("built by berth from the host's %s (%d bytes)", s.busybox, bin.Size()))
	cf.RootFS.DiffIDs = []string{diffID}
	config, id, err := encodeConfig(cf)
	if err != nil {
		return nil, err
	}
	hexID := strings.TrimPrefix(id, "sha256:")
	if _, err := os.Stat(filepath.Join(s.dir, hexID, configName)); err == nil {
		if err := s.retag(hexID, busyboxRef); err != nil {
			return nil, err
		}
		repos, err := s.readRepos()
		if err != nil {
			return nil, err
		}
		return s.load(hexID, repos, busyboxRef)
	}
	archive, err := os.OpenRoot(work)
	if err != nil {
		return nil, err
	}
	defer archive.Close()
	spec := loadSpec{layers: []blobRef{{path: "layer.tar"}}, tags: []string{busyboxRef}}
	return s.createLayered(archive, spec, config)
}

// tarDir packs dir (which berth built: nothing hostile in it) into the tar
// file out and returns its sha256 digest. Hard links stay hard links.
func tarDir(dir, out string, mtime time.Time) (string, error) {
	f, err := os.Create(out)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	tw := tar.NewWriter(io.MultiWriter(f, h))
	seen := map[uint64]string{} // inode -> first name
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		link := ""
		if fi.Mode()&fs.ModeSymlink != 0 {
			if link, err = os.Readlink(p); err != nil {
				return err
			}
		}
		hdr, err := tar.FileInfoHeader(fi, link)
		if err != nil {
			return err
		}
		hdr.Name, hdr.Uid, hdr.Gid, hdr.Uname, hdr.Gname = filepath.ToSlash(rel), 0, 0, "", ""
		hdr.ModTime, hdr.AccessTime, hdr.ChangeTime, hdr.Format = mtime, time.Time{}, time.Time{}, tar.FormatPAX
		if d.IsDir() {
			hdr.Name += "/"
		}
		if st, ok := fi.Sys().(*syscall.Stat_t); ok && fi.Mode().IsRegular() {
			if first, ok := seen[st.Ino]; ok {
				hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
			} else {
				seen[st.Ino] = hdr.Name
			}
		}
		if err := tw.WriteHeader(hdr); err != nil {
			return err
		}
		if hdr.Typeflag != tar.TypeReg {
			return nil
		}
		src, err := os.Open(p)
		if err != nil {
			return err
		}
		defer src.Close()
		_, err = io.Copy(tw, src)
		return err
	})
	if err == nil {
		err = tw.Close()
	}
	if err != nil {
		return "", fmt.Errorf("pack %s: %w", dir, err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), f.Close()
}
