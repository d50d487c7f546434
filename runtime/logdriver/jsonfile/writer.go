package jsonfile

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"sync"
	"time"
)

// filePerm is the mode Docker gives json-file logs.
const filePerm = 0o640

// WriterOptions are the json-file driver's rotation and attribute settings.
type WriterOptions struct {
	// MaxSize is the size at which the file is rotated; 0 means never. As in
	// Docker, the check happens before a write, so a file ends with the
	// entry that made it reach MaxSize.
	MaxSize int64
	// MaxFiles is how many files are kept, the current one included.
	// With 1 (or 0) a full file is replaced by an empty one.
	MaxFiles int
	// Attrs are added to every entry as "attrs" (the labels, env and tag
	// options). Empty: no "attrs" key.
	Attrs map[string]string
	// Compress gzips rotated files (path.1.gz, ...) in the background
	// after each rotation, as Docker's compress=true does.
	Compress bool
}

// Writer appends entries to a json-file log. It is safe for concurrent
// use. Write is one write(2) per entry; Add and Flush write many entries
// with one, which a container printing millions of lines needs (a write
// per line was most of the time json-file logging took). No fsync:
// readers following the file see an entry once it is written, and a crash
// loses at most what the kernel had not written back.
type Writer struct {
	path     string
	maxSize  int64
	maxFiles int
	attrs    []byte // pre-encoded "attrs" value

	mu     sync.Mutex
	f      *os.File // nil once closed
	size   int64    // up to the end of the last whole entry
	torn   bool     // the file holds part of an entry after size
	buf    []byte
	closed bool

	// Entries taken by Add and not written yet, and how the writes since
	// the last Flush went (see Add).
	pend     []byte    // encoded entries
	pendEnds []int     // where each entry ends in pend
	pendLast time.Time // the time of the last entry in pend
	added    int       // entries Add took since the last Flush
	written  int       // of them, those that reached the file
	failed   error     // the write that lost entries since the last Flush

	times timeCache // for the entries' times

	compress bool
	lastTime time.Time    // of the last entry in the current file
	pending  *compression // the last rotated file's compression, if any
	failures int          // compressions that failed (the file stays plain)
	failure  error        // the last of them
}

// NewWriter opens (or creates) the log at path for appending, as Docker does
// when a container starts again.
func NewWriter(path string, opts WriterOptions) (*Writer, error) {
	if opts.MaxSize < 0 {
		return nil, fmt.Errorf("json-file %q: invalid max size %d: want 0 (unlimited) or more", path, opts.MaxSize)
	}
	if opts.MaxFiles < 0 {
		return nil, fmt.Errorf("json-file %q: invalid max files %d: want 1 or more", path, opts.MaxFiles)
	}
	var attrs []byte
	if len(opts.Attrs) > 0 {
		var err error
		// encoding/json sorts the keys, as Docker's does.
		if attrs, err = json.Marshal(opts.Attrs); err != nil {
			return nil, fmt.Errorf("json-file %q: encode attrs: %w", path, err)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, filePerm)
	if err != nil {
		return nil, fmt.Errorf("open log: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat log: %w", err)
	}
	return &Writer{path: path, maxSize: opts.MaxSize, maxFiles: max(opts.MaxFiles, 1), attrs: attrs, f: f, size: st.Size(), compress: opts.Compress}, nil
}

// Path is the file being written.
func (w *Writer) Path() string { return w.path }

// Write appends one entry, rotating first if the file is full.
func (w *Writer) Write(e Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("write log %q: %w", w.path, fs.ErrClosed)
	}
	var err error
	if w.buf, err = appendEntryCached(w.buf[:0], e, w.attrs, &w.times); err != nil {
		return fmt.Errorf("write log %q: %w", w.path, err)
	}
	w.writePending() // entries Add holds go first (the next Flush reports them)
	if err := w.cutTorn(); err != nil {
		return err
	}
	var rotateErr error
	if w.maxSize > 0 && w.size >= w.maxSize {
		if rotateErr = w.rotate(); w.closed {
			return rotateErr
		}
	}
	n, err := w.f.Write(w.buf)
	w.size += int64(n)
	if err == nil {
		w.lastTime = e.Time
	}
	if err != nil {
		if n > 0 {
			// A full disk can take part of an entry: cut it off, so that
			// the next entry does not start inside it.
			w.size -= int64(n)
			w.torn = true
			_ = w.cutTorn() // tried again before the next write
		}
		return errors.Join(rotateErr, fmt.Errorf("write log: %w", err))
	}
	return rotateErr
}

// maxPending bounds what Add holds before it writes by itself.
const maxPending = 256 << 10

// Add takes an entry to be written with the others by the next Flush (or
// sooner: when the entries held reach maxPending, or before a rotation).
// An error means this entry is refused (a time Docker cannot store); what
// happens to the others Flush reports. After a write fails, entries are
// dropped until Flush has reported it: the caller counts them lost.
func (w *Writer) Add(e Entry) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return fmt.Errorf("write log %q: %w", w.path, fs.ErrClosed)
	}
	if w.failed != nil {
		w.added++
		return nil
	}
	if w.maxSize > 0 && w.size+int64(len(w.pend)) >= w.maxSize {
		// The rotation check Write does before each entry, with the
		// entries held counted in: they go to the current file first.
		w.writePending()
		if w.failed == nil {
			if err := w.rotate(); w.closed {
				w.failed = err
			}
			// A failed shift keeps appending to the full file (see
			// rotate): nothing is lost, so Flush does not report it.
		}
		if w.failed != nil {
			w.added++
			return nil
		}
	}
	start := len(w.pend)
	var err error
	if w.pend, err = appendEntryCached(w.pend, e, w.attrs, &w.times); err != nil {
		w.pend = w.pend[:start]
		return fmt.Errorf("write log %q: %w", w.path, err)
	}
	w.added++
	w.pendEnds = append(w.pendEnds, len(w.pend))
	w.pendLast = e.Time
	if len(w.pend) >= maxPending {
		w.writePending()
	}
	return nil
}

// Flush writes the entries Add holds and reports how many of those Add
// took since the last Flush reached the file, in order: the rest are
// lost, and err says why.
func (w *Writer) Flush() (written int, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.closed {
		w.writePending()
	}
	written, err = w.written, w.failed
	if written < w.added && err == nil {
		err = fmt.Errorf("write log %q: %w", w.path, fs.ErrClosed)
	}
	w.added, w.written, w.failed = 0, 0, nil
	w.pend, w.pendEnds = w.pend[:0], w.pendEnds[:0]
	return written, err
}

// writePending writes the entries held with one write(2). Those the write
// stored whole count as written; a torn one is cut back, as in Write, and
// it and the rest are dropped.
func (w *Writer) writePending() {
	if len(w.pendEnds) == 0 {
		return
	}
	defer func() { w.pend, w.pendEnds = w.pend[:0], w.pendEnds[:0] }()
	if err := w.cutTorn(); err != nil {
		w.failed = err
		return
	}
	n, err := w.f.Write(w.pend)
	whole := 0 // entries stored whole
	for whole < len(w.pendEnds) && w.pendEnds[whole] <= n {
		whole++
	}
	stored := 0
	if whole > 0 {
		stored = w.pendEnds[whole-1]
		// Safe when some were cut: a file's header time may be later than
		// its last entry (since reads it then), never earlier.
		w.lastTime = w.pendLast
	}
	w.written += whole
	w.size += int64(stored)
	if err != nil {
		if n > stored {
			w.torn = true
			_ = w.cutTorn() // tried again before the next write
		}
		w.failed = fmt.Errorf("write log: %w", err)
	}
}

// cutTorn truncates the file back to its last whole entry after a write
// that stored only part of one. Until that succeeds nothing more is
// written: an entry appended to a torn one would make the line unreadable.
func (w *Writer) cutTorn() error {
	if !w.torn {
		return nil
	}
	if err := w.f.Truncate(w.size); err != nil {
		return fmt.Errorf("write log: cut a partly written entry: %w", err)
	}
	w.torn = false
	return nil
}

// rotate shifts path.N-1 -> path.N ... path -> path.1 (dropping the oldest)
// and starts an empty path. With one file, the full file is removed.
// Readers holding the old file keep reading it; a follower notices the new
// file by its inode.
func (w *Writer) rotate() error {
	if err := w.f.Close(); err != nil {
		return fmt.Errorf("rotate log %q: %w", w.path, err)
	}
	w.f = nil
	// The previous compression must end before path.1 is renamed. Its
	// failure is not the entry's: the entry is written, and the failure
	// counted, then reported by Close.
	w.waitCompression()
	shiftErr := shiftFiles(w.path, w.maxFiles)
	if shiftErr == nil && w.compress && w.maxFiles > 1 {
		c := &compression{done: make(chan struct{})}
		w.pending = c
		plain, last := rotatedName(w.path, 1), w.lastTime
		go func() {
			defer close(c.done)
			c.err = compressRotated(plain, last)
		}()
	}
	w.lastTime = time.Time{}
	flags := os.O_WRONLY | os.O_APPEND | os.O_CREATE
	if shiftErr == nil {
		flags |= os.O_TRUNC
	}
	// When shifting failed, keep appending to the full file rather than
	// lose what it holds; the error still reaches the caller.
	f, err := os.OpenFile(w.path, flags, filePerm)
	if err != nil {
		w.closed = true // nothing more can be written
		return errors.Join(shiftErr, fmt.Errorf("rotate log: %w", err))
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		w.closed = true
		return errors.Join(shiftErr, fmt.Errorf("rotate log: %w", err))
	}
	w.f, w.size = f, st.Size()
	if shiftErr != nil {
		return fmt.Errorf("rotate log %q: %w", w.path, shiftErr)
	}
	return nil
}

// waitCompression waits for the last rotated file's compression and
// counts its failure.
func (w *Writer) waitCompression() {
	c := w.pending
	if c == nil {
		return
	}
	<-c.done
	w.pending = nil
	if c.err != nil {
		w.failures++
		w.failure = c.err
	}
}

// compressError is what Close reports of failed compressions.
func (w *Writer) compressError() error {
	if w.failures == 0 {
		return nil
	}
	return fmt.Errorf("%d rotated files kept uncompressed: %w", w.failures, w.failure)
}

// CompressFailures is how many rotated files could not be compressed (they
// were kept uncompressed, no line lost). Close reports them as an error.
func (w *Writer) CompressFailures() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.failures
}

// shiftFiles renames both forms of each rotated file, plain and .gz: the
// newest rotated file may not be compressed yet, and a log kept from
// before a change of the compress setting has the other form.
func shiftFiles(path string, maxFiles int) error {
	if maxFiles < 2 {
		return ignoreMissing(os.Remove(path))
	}
	for _, suffix := range []string{"", gzSuffix} {
		if err := ignoreMissing(os.Remove(rotatedName(path, maxFiles-1) + suffix)); err != nil {
			return err
		}
	}
	for i := maxFiles - 1; i > 1; i-- {
		for _, suffix := range []string{"", gzSuffix} {
			if err := ignoreMissing(os.Rename(rotatedName(path, i-1)+suffix, rotatedName(path, i)+suffix)); err != nil {
				return err
			}
		}
	}
	return ignoreMissing(os.Rename(path, rotatedName(path, 1)))
}

func rotatedName(path string, i int) string { return path + "." + strconv.Itoa(i) }

func ignoreMissing(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Close closes the file. Writes after Close fail with fs.ErrClosed.
func (w *Writer) Close() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return nil
	}
	if w.f != nil {
		w.writePending() // what Add holds and no Flush followed: best effort
	}
	w.closed = true
	w.waitCompression()
	compressErr := w.compressError()
	if w.f == nil {
		return compressErr
	}
	tornErr := w.cutTorn()
	if err := errors.Join(compressErr, tornErr, w.f.Close()); err != nil {
		return fmt.Errorf("close log %q: %w", w.path, err)
	}
	return nil
}
