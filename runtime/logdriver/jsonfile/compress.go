package jsonfile

import (
	"bufio"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"syscall"
	"time"
)

// gzSuffix ends the name of a compressed rotated file (container.log.1.gz).
const gzSuffix = ".gz"

// gzipMeta is kept in the gzip header's Extra field of a compressed file,
// as JSON: the time of its last entry under Docker's key (lastTime), so
// that since can skip the file without decompressing it, and the identity
// of the plain file it was made from, so that a follower reading that file
// finds where it went.
type gzipMeta struct {
	LastTime time.Time `json:"lastTime"`
	Inode    uint64    `json:"inode"`
	Size     int64     `json:"size"`
}

// compression is one rotated file being compressed in the background.
type compression struct {
	done chan struct{}
	err  error // set before done is closed
}

// compressRotated compresses plain into plain.gz and removes plain. It
// writes plain.gz.tmp first and renames it, so a reader sees either the
// plain file or the whole compressed one. On failure plain is kept: no
// line is lost, the file just stays uncompressed.
func compressRotated(plain string, last time.Time) (err error) {
	src, err := os.Open(plain)
	if errors.Is(err, fs.ErrNotExist) {
		return nil // nothing was rotated (one file kept)
	}
	if err != nil {
		return fmt.Errorf("compress rotated log: %w", err)
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return fmt.Errorf("compress rotated log: %w", err)
	}
	meta := gzipMeta{LastTime: last, Size: st.Size()}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		meta.Inode = sys.Ino
	}
	extra, err := json.Marshal(meta)
	if err != nil {
		return fmt.Errorf("compress rotated log %q: %w", plain, err)
	}
	tmp := plain + gzSuffix + ".tmp"
	dst, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, filePerm)
	if err != nil {
		return fmt.Errorf("compress rotated log: %w", err)
	}
	defer func() {
		if err != nil {
			dst.Close()
			os.Remove(tmp)
		}
	}()
	zw := gzip.NewWriter(dst)
	zw.Header.ModTime = last
	zw.Header.Extra = extra
	if _, err := io.Copy(zw, src); err != nil {
		return fmt.Errorf("compress rotated log %q: %w", plain, err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("compress rotated log %q: %w", plain, err)
	}
	// Synced before the rename, so that a crash cannot leave an empty
	// .gz where the plain file was.
	if err := dst.Sync(); err != nil {
		return fmt.Errorf("compress rotated log %q: %w", plain, err)
	}
	if err := dst.Close(); err != nil {
		return fmt.Errorf("compress rotated log %q: %w", plain, err)
	}
	if err := os.Rename(tmp, plain+gzSuffix); err != nil {
		return fmt.Errorf("compress rotated log: %w", err)
	}
	if err := os.Remove(plain); err != nil {
		return fmt.Errorf("compress rotated log: remove the plain file: %w", err)
	}
	return nil
}

// readGzipMeta reads the header of a compressed file.
func readGzipMeta(r io.Reader) (gzipMeta, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return gzipMeta{}, err
	}
	var meta gzipMeta
	if err := json.Unmarshal(zr.Header.Extra, &meta); err != nil || meta.LastTime.IsZero() {
		// Written by someone else: the header's time is all there is. It
		// has whole seconds: the last entry may be up to a second later.
		meta = gzipMeta{}
		if !zr.Header.ModTime.IsZero() {
			meta.LastTime = zr.Header.ModTime.Add(time.Second)
		}
	}
	return meta, nil
}

// fail records that a file could not be read whole; the read goes on with
// the other files and returns the error at its end.
func (r *reader) fail(seg *segment, err error) {
	if r.failed[seg] {
		return
	}
	if r.failed == nil {
		r.failed = map[*segment]bool{}
	}
	r.failed[seg] = true
	r.fileErrs = append(r.fileErrs, err)
}

// beforeSince tells whether every entry of a compressed file is older than
// Since, as its header says.
func (r *reader) beforeSince(seg *segment) bool {
	return !r.opts.Since.IsZero() && seg.metaErr == nil && !seg.meta.LastTime.IsZero() &&
		seg.meta.LastTime.Before(r.opts.Since)
}

// readCompressed decompresses seg and hands visit each complete line from
// the uncompressed offset skip on, with its offset. A damaged file is
// recorded with fail: the lines before the damage are still handed out.
// Only an error from visit or ctx is returned.
func (r *reader) readCompressed(seg *segment, skip int64, visit func(line []byte, off int64) error) error {
	if seg.metaErr != nil {
		r.fail(seg, seg.metaErr)
		return nil
	}
	name := seg.f.Name()
	zr, err := gzip.NewReader(io.NewSectionReader(seg.f, 0, seg.size()))
	if err != nil {
		r.fail(seg, fmt.Errorf("read log %q: %w", name, err))
		return nil
	}
	br := bufio.NewReaderSize(zr, blockSize)
	if _, err := io.CopyN(io.Discard, br, skip); err != nil {
		r.fail(seg, fmt.Errorf("read log %q: decompress: %w", name, err))
		return nil
	}
	off := skip
	var long []byte // a line longer than br's buffer
	for n := 0; ; n++ {
		if n%1024 == 0 {
			if err := r.ctx.Err(); err != nil {
				return err
			}
		}
		chunk, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			long = append(long, chunk...)
			continue
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				r.fail(seg, fmt.Errorf("read log %q: decompress after offset %d: %w", name, off, err))
			}
			return nil // an unfinished last line is not an entry
		}
		line := chunk[:len(chunk)-1]
		if len(long) > 0 {
			long = append(long, line...)
			line = long
		}
		if err := visit(line, off); err != nil {
			return err
		}
		off += int64(len(line)) + 1
		long = long[:0]
	}
}

// tailCompressed finds, in one pass over a compressed file, how many of
// the last need entries matching the filters it holds and the offset of
// the first of them. sawBefore tells that it holds entries older than
// Since, so older files need not be read.
func (r *reader) tailCompressed(seg *segment, need int) (n int, first int64, sawBefore bool, err error) {
	ring := make([]int64, 0, min(need, 1024)) // offsets; once full, head is the oldest
	head := 0
	// Wanting every entry (since, without tail), only the first counts:
	// no offset per line is kept.
	all := need >= math.MaxInt/2
	err = r.readCompressed(seg, 0, func(line []byte, off int64) error {
		keep, before, err := r.tailMatch(line)
		switch {
		case err != nil:
			return fmt.Errorf("read log %q: entry at offset %d: %w", seg.f.Name(), off, err)
		case all && before:
			n, sawBefore = 0, true
		case all && keep:
			if n == 0 {
				first = off
			}
			n++
		case before:
			ring, head, sawBefore = ring[:0], 0, true
		case !keep:
		case len(ring) < need:
			ring = append(ring, off)
		default:
			ring[head] = off
			head = (head + 1) % need
		}
		return nil
	})
	if all || err != nil || len(ring) == 0 {
		return n, first, sawBefore, err
	}
	return len(ring), ring[head], sawBefore, nil
}

// isAt tells whether rotated file i of the log is seg now: the same file
// under path.i or path.i.gz, or, for a plain seg, the file compressed
// from it.
func (r *reader) isAt(i int, seg *segment) bool {
	name := rotatedName(r.path, i)
	if st, err := os.Stat(name); err == nil {
		return os.SameFile(st, seg.info)
	}
	st, err := os.Stat(name + gzSuffix)
	if err != nil {
		return false
	}
	if seg.gz {
		return os.SameFile(st, seg.info)
	}
	return compressedFrom(name+gzSuffix, seg)
}

// compressedFrom tells whether the compressed file at name was made from
// the plain file seg, by the identity its header keeps.
func compressedFrom(name string, seg *segment) bool {
	sys, ok := seg.info.Sys().(*syscall.Stat_t)
	if !ok {
		return false
	}
	now, err := seg.f.Stat() // seg has grown since it was opened
	if err != nil {
		return false
	}
	f, err := os.Open(name)
	if err != nil {
		return false
	}
	defer f.Close()
	meta, err := readGzipMeta(f)
	return err == nil && meta.Inode == sys.Ino && meta.Size == now.Size()
}
