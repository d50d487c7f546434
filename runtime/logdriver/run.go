package logdriver

import (
	"errors"
	"fmt"
	"os"
)

// CloseAtEnd reads a pipe's read end and closes it once the end of the
// stream (or an error) is read: the copier stops reading there, and
// nothing else holds the pipe.
func CloseAtEnd(f *os.File) *ClosingReader { return &ClosingReader{f} }

// ClosingReader is CloseAtEnd's reader.
type ClosingReader struct{ f *os.File }

func (r *ClosingReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	if err != nil {
		r.f.Close()
	}
	return n, err
}

// CloseRun ends a run's logging: the copiers drain the pipes, the holes
// not marked yet are marked if the driver takes it now, the guard lets go
// of the driver and the driver is closed. The error is what the loss
// report does not already say: a failed read of the output, or a driver
// that failed to close.
func (g *LossGuard) CloseRun(copiers []*Copier, driver Driver) error {
	var errs []error
	for _, cp := range copiers {
		errs = append(errs, cp.Wait())
	}
	_ = g.Flush() // a hole left unmarked stays counted, for the next run to mark
	g.Attach(nil)
	if err := driver.Close(); err != nil {
		errs = append(errs, fmt.Errorf("close %s log: %w", driver.Name(), err))
	}
	return errors.Join(errs...)
}

// AfterRunError is State.Error: the run's own error, then what the log
// lost in the container's life (the guard keeps the hole across runs).
func (r LossReport) AfterRunError(runErr string) string {
	lost := r.String()
	switch {
	case lost == "":
		return runErr
	case runErr == "":
		return lost
	}
	return runErr + "; " + lost
}
