package engine

import (
	"errors"

	"berth/runtime/kinderr"
	"berth/runtime/network"
)

// Sentinel errors that callers branch on.
var (
	ErrNoSuchContainer = errors.New("no such container")
	ErrNameInUse       = errors.New("name in use")
	ErrNotRunning      = network.ErrNotRunning // also a start joining a stopped container's namespace
	ErrTimeout         = errors.New("timed out")
	ErrClosed          = errors.New("sandbox closed")
)

// errorf formats a message (Docker's text) and classifies it as kind.
func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

// noSuchContainer is Docker's text for a missing container.
func noSuchContainer(ref string) error {
	return errorf(ErrNoSuchContainer, "No such container: %s", ref)
}
