package logdriver

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"
)

// Readback says how what a driver logged is read back.
type Readback int

const (
	// ReadbackJSONFile: the driver writes a json-file log at Info.LogPath.
	ReadbackJSONFile Readback = iota
	// ReadbackLocalCopy: the driver sends logs elsewhere and the registry
	// keeps a json-file copy at Info.LogPath beside it (Docker's "dual
	// logging"), unless the container sets cache-disabled=true.
	ReadbackLocalCopy
	// ReadbackNone: nothing is kept; reading fails with
	// ErrReadingNotSupported.
	ReadbackNone
)

// Factory describes one log driver.
type Factory struct {
	Name string
	// Options are the log_opts keys the driver understands. Every driver
	// also accepts mode and max-buffer-size, and ReadbackLocalCopy drivers
	// the cache-* keys of their local copy.
	Options []string
	// AnyOptions skips all option checks: Docker checks none of the none
	// driver's options.
	AnyOptions bool
	// Check validates option values; keys are already known to be
	// accepted. Optional.
	Check func(opts map[string]string) error
	// New starts the driver for one run of a container. Options have been
	// checked.
	New func(Info) (Driver, error)
	// Readback says how logs() reads the logs.
	Readback Readback
}

// Registry finds log drivers by name. The zero value is empty; Builtin
// returns one holding berth's drivers.
type Registry struct {
	factories map[string]Factory
	// FlushTimeout bounds how long closing a mode=non-blocking driver
	// waits for its buffer to drain; DefaultFlushTimeout when 0.
	FlushTimeout time.Duration
}

// NewRegistry returns a registry holding factories.
func NewRegistry(factories ...Factory) (*Registry, error) {
	r := &Registry{}
	for _, f := range factories {
		if err := r.Register(f); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Builtin returns a new registry with the drivers berth has: json-file
// and none.
func Builtin() *Registry {
	r := &Registry{factories: map[string]Factory{}}
	for _, f := range []Factory{jsonFileFactory(), noneFactory()} {
		r.factories[f.Name] = f
	}
	return r
}

// Register adds a driver. Its name must be new.
func (r *Registry) Register(f Factory) error {
	switch {
	case f.Name == "":
		return errors.New("register log driver: empty name")
	case f.New == nil:
		return fmt.Errorf("register log driver %q: no New function", f.Name)
	case f.Readback < ReadbackJSONFile || f.Readback > ReadbackNone:
		return fmt.Errorf("register log driver %q: invalid readback %d", f.Name, f.Readback)
	}
	if _, dup := r.factories[f.Name]; dup {
		return fmt.Errorf("register log driver %q: already registered", f.Name)
	}
	if r.factories == nil {
		r.factories = map[string]Factory{}
	}
	r.factories[f.Name] = f
	return nil
}

// Names lists the registered drivers, sorted.
func (r *Registry) Names() []string {
	return slices.Sorted(maps.Keys(r.factories))
}

func (r *Registry) lookup(name string) (Factory, error) {
	f, ok := r.factories[name]
	if !ok {
		return Factory{}, fmt.Errorf("%w %q: want one of %s", ErrUnknownDriver, name, strings.Join(r.Names(), ", "))
	}
	return f, nil
}

// ValidateOptions checks a driver's log_opts, keys in sorted order so the
// same bad input always gets the same error:
// `unknown log opt 'bogus' for json-file log driver`, `invalid size: 'abc'`.
func (r *Registry) ValidateOptions(name string, opts map[string]string) error {
	f, err := r.lookup(name)
	if err != nil {
		return err
	}
	if f.AnyOptions {
		return nil
	}
	known := map[string]bool{}
	for _, k := range f.Options {
		known[k] = true
	}
	for _, k := range commonOptions() {
		known[k] = true
	}
	if f.Readback == ReadbackLocalCopy {
		for _, k := range localCopyOptions() {
			known[k] = true
		}
	}
	for _, k := range slices.Sorted(maps.Keys(opts)) {
		if !known[k] {
			return fmt.Errorf("unknown log opt '%s' for %s log driver", k, name)
		}
	}
	if err := checkCommonOptions(opts); err != nil {
		return err
	}
	if f.Readback == ReadbackLocalCopy {
		if _, _, err := localCopySettings(opts); err != nil {
			return err
		}
	}
	if f.Check != nil {
		return f.Check(opts)
	}
	return nil
}

// New starts the named driver for a container, with its local copy when
// the driver has one.
func (r *Registry) New(name string, info Info) (Driver, error) {
	f, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	if err := r.ValidateOptions(name, info.Config); err != nil {
		return nil, err
	}
	d, err := f.New(info)
	if err != nil {
		return nil, err
	}
	// The wrapper goes between the copy and the remote driver: the local
	// copy is written at once, so logs() and wait_for_log see every line
	// even when the receiver lags.
	nonBlocking, maxBytes, err := nonBlockingSettings(info.Config)
	if err != nil && !f.AnyOptions {
		return nil, errors.Join(err, d.Close())
	}
	if nonBlocking && !f.AnyOptions {
		d = NonBlocking(d, NonBlockingOptions{MaxBytes: maxBytes, FlushTimeout: r.FlushTimeout, Drops: info.Drops})
	}
	if f.Readback != ReadbackLocalCopy {
		return d, nil
	}
	enabled, rot, err := localCopySettings(info.Config)
	if err != nil || !enabled {
		return d, err
	}
	dual, err := withLocalCopy(d, info.LogPath, rot)
	if err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return dual, nil
}

// OpenReader returns a reader for what the named driver logged for a
// container, or ErrReadingNotSupported.
func (r *Registry) OpenReader(name string, info Info) (Reader, error) {
	f, err := r.lookup(name)
	if err != nil {
		return nil, err
	}
	switch f.Readback {
	case ReadbackJSONFile:
		rot, err := jsonFileRotation(info.Config)
		if err != nil {
			return nil, err
		}
		return newJSONFileReader(info.LogPath, rot.maxFiles)
	case ReadbackLocalCopy:
		enabled, rot, err := localCopySettings(info.Config)
		if err != nil {
			return nil, err
		}
		if !enabled {
			return nil, ErrReadingNotSupported
		}
		return newJSONFileReader(info.LogPath, rot.maxFiles)
	default:
		return nil, ErrReadingNotSupported
	}
}

// New starts a builtin driver (see Registry.New).
func New(name string, info Info) (Driver, error) { return Builtin().New(name, info) }

// ValidateOptions checks a builtin driver's options (see
// Registry.ValidateOptions).
func ValidateOptions(name string, opts map[string]string) error {
	return Builtin().ValidateOptions(name, opts)
}

// OpenReader opens the logs of a builtin driver (see Registry.OpenReader).
func OpenReader(name string, info Info) (Reader, error) { return Builtin().OpenReader(name, info) }
