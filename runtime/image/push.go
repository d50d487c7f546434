package image

import (
	"archive/tar"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"golang.org/x/sys/unix"

	"berth/runtime/backend"
)

// Push sends the stored image ref to the registry its name says (docker
// push). Each layer is packed again from the layer store (whiteouts back
// to .wh. entries); when a layer packs to other bytes than it was loaded
// from, the pushed config lists the new diff-ids, so the pushed image's ID
// can differ from the local one. Plain HTTP is used for a loopback
// registry or with insecure.
func (s *Store) Push(ctx context.Context, ref string, o backend.PushOptions) error {
	tag, err := parseRemoteRef(ref, o.Insecure)
	if err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	if err := s.checkReachable(tag); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	auth, err := s.authOption(o.Auth)
	if err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	img, err := s.Get(ref)
	if err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	remoteImg, cleanup, err := s.remoteImage(img)
	defer cleanup()
	if err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	if err := remote.Write(tag, remoteImg, remote.WithContext(ctx), auth, s.transportOption(o.Insecure)); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	return nil
}

// parseRemoteRef normalises ref as Docker does (busybox ->
// index.docker.io/library/busybox:latest); a loopback registry or
// insecure gets plain HTTP.
func parseRemoteRef(ref string, insecure bool) (name.Reference, error) {
	opts := []name.Option{name.WithDefaultRegistry(name.DefaultRegistry)}
	if insecure {
		opts = append(opts, name.Insecure)
	}
	r, err := name.ParseReference(ref, opts...)
	if err != nil {
		return nil, fmt.Errorf("invalid reference %q: %w", ref, err)
	}
	return r, nil
}

// remoteImage makes a v1.Image of img: its config with each layer packed
// into a temporary tar. cleanup removes the tars.
func (s *Store) remoteImage(img *Image) (v1.Image, func(), error) {
	work, err := os.MkdirTemp(s.dir, s.tmpPrefix+"push-")
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { os.RemoveAll(work) }
	if len(img.Layers) == 0 {
		return nil, cleanup, fmt.Errorf("image %s has no layers in the layer store (an older flat image): load or pull it again", shortID(strings.TrimPrefix(img.ID, "sha256:")))
	}
	data, err := os.ReadFile(filepath.Join(s.dir, strings.TrimPrefix(img.ID, "sha256:"), configName))
	if err != nil {
		return nil, cleanup, err
	}
	cf, err := v1.ParseConfigFile(strings.NewReader(string(data)))
	if err != nil {
		return nil, cleanup, fmt.Errorf("parse config: %w", err)
	}
	layers := make([]v1.Layer, len(img.Layers))
	cf.RootFS.DiffIDs = make([]v1.Hash, len(img.Layers))
	for i, dir := range img.Layers {
		out := filepath.Join(work, fmt.Sprintf("layer%d.tar", i))
		if err := packLayer(dir, out); err != nil {
			return nil, cleanup, fmt.Errorf("layer %d (%s): %w", i+1, filepath.Base(filepath.Dir(dir)), err)
		}
		if layers[i], err = tarball.LayerFromFile(out); err != nil {
			return nil, cleanup, fmt.Errorf("layer %d: %w", i+1, err)
		}
		if cf.RootFS.DiffIDs[i], err = layers[i].DiffID(); err != nil {
			return nil, cleanup, fmt.Errorf("layer %d: %w", i+1, err)
		}
	}
	base, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, cleanup, err
	}
	out, err := mutate.ConfigFile(base, cf)
	return out, cleanup, err
}

// packLayer writes the layer directory dir (overlayfs' form) as a layer
// tar: a 0/0 character device becomes a .wh. whiteout, an opaque directory
// gets a .wh..wh..opq entry. Ownership, modes and times are kept; hard
// links stay links. Files are read through an os.Root on dir.
func packLayer(dir, out string) error {
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	root, err := os.OpenRoot(dir)
	if err != nil {
		return err
	}
	defer root.Close()
	tw := tar.NewWriter(f)
	p := packer{tw: tw, root: root, dir: dir, seen: map[uint64]string{}}
	if err := filepath.WalkDir(dir, p.entry); err != nil {
		return err
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return f.Close()
}

type packer struct {
	tw   *tar.Writer
	root *os.Root
	dir  string
	seen map[uint64]string // inode -> first name, for hard links
}

func (p *packer) entry(full string, d fs.DirEntry, err error) error {
	if err != nil {
		return err
	}
	rel, err := filepath.Rel(p.dir, full)
	if err != nil {
		return err
	}
	fi, err := d.Info()
	if err != nil {
		return err
	}
	st, _ := fi.Sys().(*syscall.Stat_t)
	name := filepath.ToSlash(rel)
	if fi.Mode()&fs.ModeCharDevice != 0 && st != nil && st.Rdev == 0 {
		return p.write(&tar.Header{Name: path.Join(path.Dir(name), whiteoutPrefix+path.Base(name)), Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX, ModTime: fi.ModTime()}, "")
	}
	link := ""
	if fi.Mode()&fs.ModeSymlink != 0 {
		if link, err = p.root.Readlink(rel); err != nil {
			return err
		}
	}
	hdr, err := tar.FileInfoHeader(fi, link)
	if err != nil {
		return err
	}
	hdr.Name, hdr.Uname, hdr.Gname = name, "", ""
	hdr.AccessTime, hdr.ChangeTime, hdr.Format = time.Time{}, time.Time{}, tar.FormatPAX
	if st != nil {
		hdr.Uid, hdr.Gid = int(st.Uid), int(st.Gid)
	}
	if d.IsDir() {
		hdr.Name += "/"
	}
	if st != nil && fi.Mode().IsRegular() && st.Nlink > 1 {
		if first, ok := p.seen[st.Ino]; ok {
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeLink, first, 0
		} else {
			p.seen[st.Ino] = hdr.Name
		}
	}
	if err := p.write(hdr, rel); err != nil {
		return err
	}
	if d.IsDir() && isOpaque(full) {
		return p.write(&tar.Header{Name: path.Join(name, whiteoutOpaque), Typeflag: tar.TypeReg, Mode: 0o644, Format: tar.FormatPAX, ModTime: fi.ModTime()}, "")
	}
	return nil
}

func (p *packer) write(hdr *tar.Header, rel string) error {
	if err := p.tw.WriteHeader(hdr); err != nil {
		return err
	}
	if hdr.Typeflag != tar.TypeReg || hdr.Size == 0 {
		return nil
	}
	src, err := p.root.Open(rel)
	if err != nil {
		return err
	}
	defer src.Close()
	_, err = io.CopyN(p.tw, src, hdr.Size)
	return err
}

func isOpaque(dir string) bool {
	buf := make([]byte, 1)
	n, err := unix.Lgetxattr(dir, opaqueXattr, buf)
	return err == nil && n == 1 && buf[0] == 'y'
}
