package jsonfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"time"
)

// DefaultPollInterval is how often a follower looks for new entries.
const DefaultPollInterval = 20 * time.Millisecond

// ReadOptions select what Read hands out.
type ReadOptions struct {
	// Tail is how many of the last matching entries to start with: -1 all,
	// 0 none (with Follow: only what is written from now on), N the last N.
	// It counts entries that pass the stream and time filters. (Docker
	// counts before filtering; here tail=N always means "the last N that
	// would be shown".)
	Tail int
	// Since and Until bound entry times, both inclusive, as in Docker: an
	// entry is shown if Since <= time <= Until. Zero means unbounded.
	// Reading stops at the first entry after Until, also when following.
	Since, Until time.Time
	// Stdout and Stderr select the streams; at least one must be set.
	Stdout, Stderr bool
	// Follow keeps reading entries as they are written, until ctx is done,
	// Done is closed, or Until is passed (by an entry, or by the clock).
	Follow bool
	// Done, with Follow, is closed when the writer has finished for good
	// (the container exited and its log was closed): Read then hands out
	// what is left in the file and returns nil.
	Done <-chan struct{}
	// MaxFiles is the writer's max-file setting, so that only files it
	// keeps are read; 0 reads every consecutively numbered rotated file.
	MaxFiles int
	// PollInterval is how often a follower checks the file; 0 means
	// DefaultPollInterval.
	PollInterval time.Duration
}

func (o ReadOptions) validate() error {
	if o.Tail < -1 {
		return fmt.Errorf("invalid tail %d: want -1 (all), 0 or a positive number", o.Tail)
	}
	if !o.Stdout && !o.Stderr {
		return errors.New("no stream selected: want stdout, stderr or both")
	}
	if o.PollInterval < 0 {
		return fmt.Errorf("invalid poll interval %v: want a positive duration", o.PollInterval)
	}
	return nil
}

// errUntil ends a read at the first entry after ReadOptions.Until.
var errUntil = errors.New("past until")

// Read hands fn the entries of the log at path, and of its rotated files,
// oldest first. An error from fn stops the read and is returned as is. A
// log that does not exist yet reads as empty (and is waited for when
// following). A line not ended by '\n' is still being written and is not
// handed out until it is complete. An Entry's Line is valid only during the
// call to fn: the reader reuses its storage.
func Read(ctx context.Context, path string, opts ReadOptions, fn func(Entry) error) error {
	if err := opts.validate(); err != nil {
		return err
	}
	if opts.PollInterval == 0 {
		opts.PollInterval = DefaultPollInterval
	}
	if opts.Tail == 0 && !opts.Follow {
		return nil
	}
	segs, withCurrent, err := openSegments(path, opts.MaxFiles)
	if err != nil {
		return err
	}
	r := &reader{ctx: ctx, path: path, opts: opts, fn: fn, segs: segs}
	defer r.close()
	err = r.run(withCurrent)
	if errors.Is(err, errUntil) {
		err = nil
	}
	return errors.Join(append([]error{err}, r.fileErrs...)...)
}

type reader struct {
	ctx  context.Context
	path string
	opts ReadOptions
	fn   func(Entry) error
	segs []*segment // oldest first
	dec  decoder
	// followed is the file being followed once it is not one of segs.
	followed *segment
	// fileErrs are the files that could not be read whole (a damaged
	// .gz), failed the files recorded.
	fileErrs []error
	failed   map[*segment]bool
}

func (r *reader) close() {
	closeSegments(r.segs)
	if r.followed != nil {
		r.followed.f.Close()
	}
}

// position is where reading starts: a segment and an offset in it.
type position struct {
	seg int
	off int64
}

func (r *reader) run(withCurrent bool) error {
	start, err := r.start()
	if err != nil {
		return err
	}
	last := len(r.segs) - 1
	for i := start.seg; i <= last; i++ {
		off := int64(0)
		if i == start.seg {
			off = start.off
		}
		if seg := r.segs[i]; seg.gz {
			if !r.beforeSince(seg) {
				if err := r.readCompressed(seg, off, r.emitter(seg)); err != nil {
					return err
				}
			}
			continue
		}
		if i == last && withCurrent && r.opts.Follow {
			return r.follow(newLineReader(r.segs[i].f, off), r.segs[i].info)
		}
		// Up to the size seen when opened: a read without follow shows
		// the log as it was when it began.
		if err := newLineReader(r.segs[i].f, off).read(r.ctx, r.segs[i].size(), r.emitter(r.segs[i])); err != nil {
			return err
		}
	}
	if r.opts.Follow {
		return r.follow(nil, nil)
	}
	return nil
}

// start finds where the entries to hand out begin.
func (r *reader) start() (position, error) {
	tail := r.opts.Tail
	if tail < 0 && !r.opts.Since.IsZero() {
		// All since Since: found from the end, as a tail of every
		// entry, so that the files and lines before it are not read.
		tail = math.MaxInt
	}
	if len(r.segs) == 0 || tail < 0 {
		return position{}, nil
	}
	last := len(r.segs) - 1
	// Nothing found yet: start after the last complete line, so that a
	// follower sees the line being written when it is complete.
	start := position{seg: last + 1} // after a compressed file: nothing
	if !r.segs[last].gz {
		end, err := lastLineEnd(r.segs[last].f, r.segs[last].size())
		if err != nil {
			return position{}, fmt.Errorf("read log %q: %w", r.segs[last].f.Name(), err)
		}
		start = position{seg: last, off: end}
	}
	if r.opts.Tail == 0 {
		return start, nil
	}
	found, since := 0, false
	for i := last; i >= 0 && found < tail && !since; i-- {
		if seg := r.segs[i]; seg.gz {
			// No reading backwards in a gzip stream: one pass forwards.
			if r.beforeSince(seg) {
				since = true
				continue
			}
			n, first, sawBefore, err := r.tailCompressed(seg, tail-found)
			if err != nil {
				return position{}, err
			}
			if n > 0 {
				found += n
				start = position{seg: i, off: first}
			}
			since = sawBefore
			continue
		}
		err := scanBackward(r.segs[i].f, r.segs[i].size(), func(line []byte, off int64) (bool, error) {
			keep, beforeSince, err := r.tailMatch(line)
			if err != nil {
				return false, fmt.Errorf("read log %q: entry at offset %d: %w", r.segs[i].f.Name(), off, err)
			}
			if beforeSince {
				// Entries are in time order: everything earlier is too.
				since = true
				return false, nil
			}
			if keep {
				found++
				start = position{seg: i, off: off}
			}
			return found < tail, nil
		})
		if err != nil {
			return position{}, err
		}
	}
	return start, nil
}

// tailMatch tells whether a line counts towards Tail, and whether it is
// older than Since (which ends the backward scan).
func (r *reader) tailMatch(line []byte) (keep, beforeSince bool, err error) {
	if isBlank(line) {
		return false, false, nil
	}
	if r.opts.Stdout && r.opts.Stderr && r.opts.Since.IsZero() && r.opts.Until.IsZero() {
		return true, false, nil // no filter: no need to decode
	}
	e, err := r.dec.decode(line)
	if err != nil {
		return false, false, err
	}
	if !r.opts.Since.IsZero() && e.Time.Before(r.opts.Since) {
		return false, true, nil
	}
	if !r.opts.Until.IsZero() && e.Time.After(r.opts.Until) {
		return false, false, nil
	}
	return r.wantStream(e.Stream), false, nil
}

func (r *reader) wantStream(stream string) bool {
	switch stream {
	case "stdout":
		return r.opts.Stdout
	case "stderr":
		return r.opts.Stderr
	default:
		return r.opts.Stdout && r.opts.Stderr
	}
}

// emitter decodes, filters and hands out the lines of one file.
func (r *reader) emitter(seg *segment) func(line []byte, off int64) error {
	return func(line []byte, off int64) error {
		if isBlank(line) {
			return nil
		}
		e, err := r.dec.decode(line)
		if err != nil {
			return fmt.Errorf("read log %q: entry at offset %d: %w", seg.f.Name(), off, err)
		}
		if !r.wantStream(e.Stream) || (!r.opts.Since.IsZero() && e.Time.Before(r.opts.Since)) {
			return nil
		}
		if !r.opts.Until.IsZero() && e.Time.After(r.opts.Until) {
			return errUntil
		}
		return r.fn(e)
	}
}

// follow reads the current file as it grows, moving to the new file when
// the writer rotates, until ctx is done or Done is closed. lr is nil when
// the log file does not exist yet.
func (r *reader) follow(lr *lineReader, info fs.FileInfo) error {
	tick := time.NewTicker(r.opts.PollInterval)
	defer tick.Stop()
	var seg *segment
	if lr != nil {
		seg = &segment{f: lr.f, info: info}
	}
	for {
		// Look before reading: when Done is closed the writer has
		// finished, and once Until is well past no entry can match any
		// more, so reading once more gets everything.
		finished := isClosed(r.opts.Done) || r.untilPassed()
		var err error
		if seg, lr, err = r.catchUp(seg, lr); err != nil {
			return err
		}
		if finished {
			return nil
		}
		select {
		case <-r.ctx.Done():
			return r.ctx.Err()
		case <-r.opts.Done:
		case <-tick.C:
		}
	}
}

// catchUp hands out everything written so far, following rotations. It
// returns the file to continue with (nil if the log does not exist now).
func (r *reader) catchUp(seg *segment, lr *lineReader) (*segment, *lineReader, error) {
	for {
		if seg == nil {
			opened, err := openSegment(r.path)
			if err != nil || opened == nil {
				return nil, nil, err
			}
			r.setFollowed(opened)
			seg, lr = opened, newLineReader(opened.f, 0)
		}
		if seg.gz {
			// A compressed file is complete: read it once, go on.
			if !seg.consumed {
				seg.consumed = true
				if err := r.readCompressed(seg, 0, r.emitter(seg)); err != nil {
					return seg, lr, err
				}
			}
			next, err := r.successor(seg)
			if err != nil || next == nil {
				return seg, lr, err
			}
			r.setFollowed(next)
			seg, lr = next, newLineReader(next.f, 0)
			continue
		}
		if err := lr.read(r.ctx, -1, r.emitter(seg)); err != nil {
			return seg, lr, err
		}
		now, err := os.Stat(r.path)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return seg, lr, fmt.Errorf("stat log: %w", err)
		}
		if err == nil && os.SameFile(now, seg.info) {
			if now.Size() < lr.off {
				lr.restart() // truncated in place by someone else
				continue
			}
			return seg, lr, nil
		}
		// The writer rotated: what the old file still holds was written
		// before the switch, so finish it, then go on with the file that
		// came after it.
		if err := lr.read(r.ctx, -1, r.emitter(seg)); err != nil {
			return seg, lr, err
		}
		next, err := r.successor(seg)
		if err != nil || next == nil {
			return seg, lr, err // not created yet: look again at the next poll
		}
		r.setFollowed(next)
		seg, lr = next, newLineReader(next.f, 0)
	}
}

// successor opens the file the writer started after seg was rotated
// away, or returns nil if it does not exist yet. Several rotations may
// have happened since seg was current: seg is then path.k and its
// successor path.k-1. If seg is gone (rotated past max-file), the oldest
// file left is the best there is.
func (r *reader) successor(seg *segment) (*segment, error) {
	for range maxOpenAttempts {
		k, oldest, err := r.findRotated(seg)
		if err != nil {
			return nil, err
		}
		var next *segment
		switch {
		case k > 1:
			next, err = openRotated(r.path, k-1)
		case k == 0 && oldest > 0:
			next, err = openRotated(r.path, oldest)
		default:
			next, err = openSegment(r.path)
		}
		if err != nil || next == nil || k == 0 {
			return next, err
		}
		// If seg is still path.k, no rotation slipped in between and the
		// file opened really was its successor.
		if r.isAt(k, seg) {
			return next, nil
		}
		next.f.Close()
	}
	return nil, fmt.Errorf("follow log %q: it was rotated %d times while looking for the next file", r.path, maxOpenAttempts)
}

// findRotated returns k if seg is path.k now (0 if it is gone) and the
// highest number of a rotated file that exists.
func (r *reader) findRotated(seg *segment) (k, oldest int, err error) {
	missing := 0
	for i := 1; i < maxProbe; i++ {
		if r.opts.MaxFiles > 0 && i >= r.opts.MaxFiles {
			break
		}
		if r.opts.MaxFiles <= 0 && missing == 2 {
			break
		}
		_, err := os.Stat(rotatedName(r.path, i))
		if errors.Is(err, fs.ErrNotExist) {
			_, err = os.Stat(rotatedName(r.path, i) + gzSuffix)
		}
		if errors.Is(err, fs.ErrNotExist) {
			missing++
			continue
		}
		if err != nil {
			return 0, 0, fmt.Errorf("follow log: %w", err)
		}
		missing, oldest = 0, i
		if k == 0 && r.isAt(i, seg) {
			k = i
		}
	}
	return k, oldest, nil
}

// setFollowed records a file opened while following, so that it is
// closed when the read ends (the previous one is done with).
func (r *reader) setFollowed(seg *segment) {
	if r.followed != nil {
		r.followed.f.Close()
	}
	r.followed = seg
}

// untilGrace covers an entry timestamped just before Until that is not
// yet in the file.
const untilGrace = time.Second

// untilPassed tells whether a follower can stop because entries written
// from now on are after Until.
func (r *reader) untilPassed() bool {
	return !r.opts.Until.IsZero() && time.Now().After(r.opts.Until.Add(untilGrace))
}

func isClosed(ch <-chan struct{}) bool {
	if ch == nil {
		return false
	}
	select {
	case <-ch:
		return true
	default:
	}
	return false
}
