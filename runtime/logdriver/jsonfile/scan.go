package jsonfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// blockSize is how much is read at a time, forwards or backwards.
const blockSize = 64 << 10

// scanBackward visits the complete lines of r[0:size], last first, with
// the offset where each starts; the bytes after the last newline (a line
// still being written) are skipped. It reads blocks from the end, so its
// cost depends on how far back it goes, not on the size of the file.
// visit returns false to stop.
func scanBackward(r io.ReaderAt, size int64, visit func(line []byte, off int64) (more bool, err error)) error {
	pos := size     // data holds r[pos : pos+len(data)]
	var data []byte // ends just after a '\n' once trimmed
	trimmed := false
	for {
		if trimmed {
			for len(data) > 0 {
				i := bytes.LastIndexByte(data[:len(data)-1], '\n')
				if i < 0 && pos > 0 {
					break // the line starts in an earlier block
				}
				more, err := visit(data[i+1:len(data)-1], pos+int64(i+1))
				if err != nil || !more {
					return err
				}
				data = data[:i+1]
			}
		}
		if pos == 0 {
			return nil
		}
		n := min(int64(blockSize), pos)
		pos -= n
		block := make([]byte, int(n)+len(data))
		if _, err := r.ReadAt(block[:n], pos); err != nil {
			return fmt.Errorf("read at offset %d: %w", pos, err)
		}
		copy(block[n:], data)
		data = block
		if !trimmed {
			i := bytes.LastIndexByte(data, '\n')
			if i < 0 {
				data = nil // all of it belongs to the unfinished last line
				continue
			}
			data, trimmed = data[:i+1], true
		}
	}
}

// lastLineEnd is the offset just after the last complete line of r[0:size].
func lastLineEnd(r io.ReaderAt, size int64) (int64, error) {
	end := int64(0)
	err := scanBackward(r, size, func(line []byte, off int64) (bool, error) {
		end = off + int64(len(line)) + 1
		return false, nil
	})
	return end, err
}

// lineReader reads a file forwards from an offset and hands out complete
// lines. A line not yet ended by '\n' waits in pending until its end has
// been written, so a follower never sees half an entry.
type lineReader struct {
	f       *os.File
	off     int64  // next byte to read
	pending []byte // the start of an unfinished line, read before off
	buf     []byte
}

func newLineReader(f *os.File, off int64) *lineReader {
	return &lineReader{f: f, off: off, buf: make([]byte, blockSize)}
}

// restart reads again from the start of the file (it was truncated).
func (lr *lineReader) restart() {
	lr.off = 0
	lr.pending = lr.pending[:0]
}

// read hands emit each complete line between the current offset and limit
// (-1: the end of the file as it is now), with the offset where it starts.
func (lr *lineReader) read(ctx context.Context, limit int64, emit func(line []byte, off int64) error) error {
	for limit < 0 || lr.off < limit {
		if err := ctx.Err(); err != nil {
			return err
		}
		want := int64(len(lr.buf))
		if limit >= 0 {
			want = min(want, limit-lr.off)
		}
		n, err := lr.f.ReadAt(lr.buf[:want], lr.off)
		lr.off += int64(n)
		chunk := lr.buf[:n]
		for len(chunk) > 0 {
			i := bytes.IndexByte(chunk, '\n')
			if i < 0 {
				lr.pending = append(lr.pending, chunk...)
				break
			}
			lineOff := lr.off - int64(len(chunk)) - int64(len(lr.pending))
			line := chunk[:i]
			if len(lr.pending) > 0 {
				lr.pending = append(lr.pending, line...)
				line = lr.pending
			}
			chunk = chunk[i+1:]
			emitErr := emit(line, lineOff)
			lr.pending = lr.pending[:0]
			if emitErr != nil {
				return emitErr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read log %q at offset %d: %w", lr.f.Name(), lr.off, err)
		}
	}
	return nil
}
