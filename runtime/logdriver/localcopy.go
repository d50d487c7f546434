package logdriver

import (
	"errors"
	"fmt"
)

// withLocalCopy wraps a driver that cannot read back (syslog, fluentd,
// ...) so that every message also goes to a json-file log at path, which
// logs() reads: Docker's "dual logging".
func withLocalCopy(d Driver, path string, rot rotation) (Driver, error) {
	w, err := newJSONFileWriter(path, rot, nil)
	if err != nil {
		return nil, fmt.Errorf("local copy of %s logs: %w", d.Name(), err)
	}
	return &localCopyDriver{primary: d, local: &jsonFileDriver{name: d.Name(), w: w}}, nil
}

type localCopyDriver struct {
	primary Driver
	local   *jsonFileDriver
	// held says, for each copy the local writer holds since the last
	// FlushAdded, whether the guard counts it in its batch (the primary
	// took the message) or already counted the message lost.
	held []bool
}

func (d *localCopyDriver) Name() string { return d.primary.Name() }

// Log writes the copy first: when the remote end fails, logs() still
// shows the message (Docker skips its cache then).
func (d *localCopyDriver) Log(m *Message) error {
	localErr := d.local.Log(m)
	if localErr != nil {
		localErr = fmt.Errorf("local copy: %w", localErr)
	}
	return errors.Join(d.primary.Log(m), localErr)
}

func (d *localCopyDriver) Close() error {
	return errors.Join(d.primary.Close(), d.local.Close())
}

// Add and FlushAdded batch the local copy's writes (the primary still
// takes each message at once): a Batcher, as the json-file driver is.
func (d *localCopyDriver) Add(m *Message) error {
	primaryErr := d.primary.Log(m)
	if err := d.local.Add(m); err != nil {
		return errors.Join(primaryErr, fmt.Errorf("local copy: %w", err))
	}
	d.held = append(d.held, primaryErr == nil)
	return primaryErr
}

// FlushAdded: of the messages the guard holds in its batch (those the
// primary took), those whose copy reached the file are delivered; a copy
// lost makes its message lost, as Log reports it.
func (d *localCopyDriver) FlushAdded() (int, error) {
	n, err := d.local.FlushAdded()
	delivered := 0
	for _, counted := range d.held[:min(n, len(d.held))] {
		if counted {
			delivered++
		}
	}
	d.held = d.held[:0]
	if err != nil {
		err = fmt.Errorf("local copy: %w", err)
	}
	return delivered, err
}
