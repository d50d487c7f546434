package engine

import (
	"errors"
	"fmt"
)

// Sentinel errors that callers branch on.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNameInUse       = errors.New("name in use")
	ErrNotRunning      = errors.New("container not running")
	ErrTimeout         = errors.New("timed out")
	ErrClosed          = errors.New("sandbox closed")
)

// kindError prints only its message (Docker's text, which users search
// for) while errors.Is still matches the sentinel that classifies it.
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// errorf formats a message and classifies it as kind.
func errorf(kind error, format string, args ...any) error {
	return &kindError{msg: fmt.Sprintf(format, args...), kind: kind}
}

// noSuchContainer is Docker's text for a missing container.
func noSuchContainer(ref string) error {
	return errorf(ErrNoSuchContainer, "No such container: %s", ref)
}
