package repl

import (
	"bufio"
	"context"
	"errors"
	"io"
	"strings"
)

// RunReader runs the statements read from r (standard input without a
// terminal), chunk by chunk as a terminal session would, until r ends or
// ctx is cancelled. A failing statement is reported and the next ones
// still run, as if typed. It returns how many chunks failed.
func (s *Session) RunReader(ctx context.Context, r io.Reader, filename string) (failed int, err error) {
	br := bufio.NewReader(r)
	var pending []string
	start, line := 1, 0
	flush := func() {
		text := strings.Join(pending, "\n")
		if !s.Eval(ctx, filename, text, start) {
			failed++
		}
		pending = nil
	}
	for !s.quit {
		if err := ctx.Err(); err != nil {
			return failed, context.Cause(ctx)
		}
		l, err := br.ReadString('\n')
		if l == "" && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return failed, err
		}
		line++
		if len(pending) == 0 {
			start = line
		}
		pending = append(pending, strings.TrimSuffix(strings.TrimSuffix(l, "\n"), "\r"))
		if Complete(strings.Join(pending, "\n")) {
			flush()
		}
	}
	if len(pending) > 0 && !s.quit {
		flush()
	}
	if err := ctx.Err(); err != nil {
		return failed, context.Cause(ctx)
	}
	return failed, nil
}
