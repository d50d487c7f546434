package engine

import (
	"errors"

	"berth/runtime/backend"
	"berth/runtime/image"
	"berth/runtime/kinderr"
	"berth/runtime/network"
	"berth/runtime/volume"
)

// errorf formats a message (Docker's text) and classifies it as kind.
func errorf(kind error, format string, args ...any) error {
	return kinderr.Errorf(kind, format, args...)
}

// seamKinds maps the sentinels of the packages the engine is made of to
// the seam's, which the sandbox policy and the builtins branch on.
var seamKinds = []struct{ from, to error }{
	{volume.ErrNotFound, backend.ErrNoSuchVolume},
	{volume.ErrInUse, backend.ErrVolumeInUse},
	{network.ErrNotFound, backend.ErrNoSuchNetwork},
	{network.ErrExists, backend.ErrNetworkExists},
	{network.ErrActiveEndpoints, backend.ErrActiveEndpoints},
	{network.ErrInvalid, backend.ErrInvalid},
	{network.ErrConnected, backend.ErrConnected},
	{network.ErrNotConnected, backend.ErrNotConnected},
	{network.ErrNotRunning, backend.ErrNotRunning},
	{image.ErrNotFound, backend.ErrNoSuchImage},
	{image.ErrConflict, backend.ErrImageConflict},
	{image.ErrInUse, backend.ErrImageConflict},
}

// seamError is an error of a package below the engine that also matches
// the seam's sentinel for its class; it prints the same text.
type seamError struct{ err, kind error }

func (e *seamError) Error() string   { return e.err.Error() }
func (e *seamError) Unwrap() []error { return []error{e.err, e.kind} }

// classify returns err so that errors.Is finds the seam's sentinel too.
func classify(err error) error {
	if err == nil {
		return nil
	}
	for _, k := range seamKinds {
		if errors.Is(err, k.from) {
			if errors.Is(err, k.to) {
				return err
			}
			return &seamError{err: err, kind: k.to}
		}
	}
	return err
}
