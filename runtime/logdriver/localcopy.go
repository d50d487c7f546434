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
