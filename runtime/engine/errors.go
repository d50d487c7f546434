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

// noSuchContainer is Docker's text for a missing container.
func noSuchContainer(ref string) error {
	return fmt.Errorf("No such container: %s: %w", ref, ErrNoSuchContainer)
}
