package volume

import (
	"errors"

	"berth/runtime/spec"
)

var (
	// ErrInvalid marks a bad volume name. It is spec.ErrInvalid, so callers
	// that sort user errors from engine faults need to know one sentinel.
	ErrInvalid = spec.ErrInvalid
	// ErrNotFound: no volume has the name. Its text is Docker's
	// ("get nosuchvol: no such volume").
	ErrNotFound = errors.New("no such volume")
	// ErrInUse: containers still use the volume, so it is not removed.
	ErrInUse = errors.New("volume is in use")
)
