package jsonfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// segment is one file of a log, open for reading, with its size when it
// was opened.
type segment struct {
	f    *os.File
	info fs.FileInfo
	// gz marks a compressed rotated file; meta is its header, or metaErr
	// why it could not be read.
	gz      bool
	meta    gzipMeta
	metaErr error
	// consumed marks a compressed file a follower has read.
	consumed bool
}

func (s *segment) size() int64 { return s.info.Size() }

// openSegment opens one file of a log. A missing file is (nil, nil).
func openSegment(path string) (*segment, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat log %q: %w", path, err)
	}
	return &segment{f: f, info: info}, nil
}

// openRotated opens rotated file i of the log at path: path.i if it is
// there (the newest may not be compressed yet), else path.i.gz. Plain
// first: the compressor creates the .gz before it removes the plain
// file, so one of the two is always found.
func openRotated(path string, i int) (*segment, error) {
	seg, err := openSegment(rotatedName(path, i))
	if seg != nil || err != nil {
		return seg, err
	}
	seg, err = openSegment(rotatedName(path, i) + gzSuffix)
	if seg == nil || err != nil {
		return seg, err
	}
	seg.gz = true
	seg.meta, seg.metaErr = readGzipMeta(io.NewSectionReader(seg.f, 0, seg.size()))
	if seg.metaErr != nil {
		seg.metaErr = fmt.Errorf("read log %q: %w", seg.f.Name(), seg.metaErr)
	}
	return seg, nil
}

func closeSegments(segs []*segment) {
	for _, s := range segs {
		s.f.Close()
	}
}

// maxOpenAttempts bounds how often openSegments starts over because the
// writer rotated the files while they were being opened. Between attempts
// it backs off a little longer each time, so that a burst of rotations
// (a chatty container with a small max-size) can end.
const maxOpenAttempts = 50

// maxProbe bounds the search for rotated files when their number is not
// known.
const maxProbe = 10000

// openSegments opens path and its rotated files path.1, path.2, ...,
// oldest first. maxFiles is the writer's setting (0: look until two
// numbers in a row are missing). A missing path with no rotated files
// gives no segments: nothing was logged yet. withCurrent tells whether the
// last segment is path itself (rather than a rotated file while path is
// being replaced).
//
// The writer renames files while this runs. A rotation that completes
// meanwhile replaces path, which is checked last, and causes a retry; one
// in progress leaves at most one gap in the numbers, which is skipped, and
// may show one file under two names, which is opened once.
func openSegments(path string, maxFiles int) (segs []*segment, withCurrent bool, err error) {
	for attempt := range maxOpenAttempts {
		segs, withCurrent, stable, err := openSegmentsOnce(path, maxFiles)
		if err != nil || stable {
			return segs, withCurrent, err
		}
		closeSegments(segs)
		time.Sleep(time.Duration(min(attempt+1, 10)) * time.Millisecond)
	}
	return nil, false, fmt.Errorf("open log %q: it was rotated %d times while being opened", path, maxOpenAttempts)
}

func openSegmentsOnce(path string, maxFiles int) (segs []*segment, withCurrent, stable bool, err error) {
	newest, err := openSegment(path)
	if err != nil {
		return nil, false, false, err
	}
	withCurrent = newest != nil
	defer func() {
		if err != nil {
			closeSegments(segs)
			segs = nil
		}
	}()
	if newest != nil {
		segs = append(segs, newest)
	}
	missing := 0
	for i := 1; i < maxProbe; i++ {
		if maxFiles > 0 && i >= maxFiles {
			break
		}
		if maxFiles <= 0 && missing == 2 {
			break
		}
		seg, err := openRotated(path, i)
		if err != nil {
			return segs, false, false, err
		}
		if seg == nil {
			missing++
			continue
		}
		missing = 0
		if opened(segs, seg) {
			seg.f.Close()
			continue
		}
		segs = append(segs, seg)
	}
	// newest first so far; callers want oldest first.
	for i, j := 0, len(segs)-1; i < j; i, j = i+1, j-1 {
		segs[i], segs[j] = segs[j], segs[i]
	}

	now, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return segs, withCurrent, newest == nil, nil
	case err != nil:
		return segs, false, false, fmt.Errorf("stat log: %w", err)
	default:
		return segs, withCurrent, newest != nil && os.SameFile(now, newest.info), nil
	}
}

func opened(segs []*segment, seg *segment) bool {
	for _, s := range segs {
		if os.SameFile(s.info, seg.info) {
			return true
		}
	}
	return false
}
