package logdriver

import "errors"

var (
	// ErrUnknownDriver is returned for a log driver name no registry entry
	// has.
	ErrUnknownDriver = errors.New("unknown log driver")
	// ErrReadingNotSupported is returned when reading the logs of a
	// container whose driver keeps none (none, or dual logging disabled
	// with cache-disabled=true). The text is Docker's.
	ErrReadingNotSupported = errors.New("configured logging driver does not support reading")
)
