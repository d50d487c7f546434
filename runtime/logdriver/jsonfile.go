package logdriver

import (
	"context"
	"errors"

	"berth/runtime/logdriver/jsonfile"
)

// jsonFileFactory is Docker's default driver: a json-file log at
// Info.LogPath, rotated by max-size and max-file.
func jsonFileFactory() Factory {
	return Factory{
		Name:     "json-file",
		Options:  []string{"max-size", "max-file", "compress", "labels", "labels-regex", "env", "env-regex", "tag"},
		Check:    checkJSONFileOptions,
		New:      newJSONFileDriver,
		Readback: ReadbackJSONFile,
	}
}

// jsonFileRotation reads max-size (default: unlimited), max-file
// (default 1) and compress (default false).
func jsonFileRotation(opts map[string]string) (rotation, error) {
	return parseRotation(opts, rotationKeys{"max-size", "max-file", "compress"}, rotation{maxFiles: 1})
}

func checkJSONFileOptions(opts map[string]string) error {
	if _, err := jsonFileRotation(opts); err != nil {
		return err
	}
	// Checked here so a bad template or pattern fails at create, not start.
	if text := opts["tag"]; text != "" {
		if _, err := parseTag(text); err != nil {
			return err
		}
	}
	_, err := Info{Config: opts}.ExtraAttributes()
	return err
}

func newJSONFileDriver(info Info) (Driver, error) {
	rot, err := jsonFileRotation(info.Config)
	if err != nil {
		return nil, err
	}
	attrs, err := info.ExtraAttributes()
	if err != nil {
		return nil, err
	}
	// As in Docker: no default tag; a tag only when asked for.
	tag, err := info.Tag("")
	if err != nil {
		return nil, err
	}
	if tag != "" {
		attrs["tag"] = tag
	}
	w, err := newJSONFileWriter(info.LogPath, rot, attrs)
	if err != nil {
		return nil, err
	}
	return &jsonFileDriver{name: "json-file", w: w}, nil
}

func newJSONFileWriter(path string, rot rotation, attrs map[string]string) (*jsonfile.Writer, error) {
	if path == "" {
		return nil, errors.New("json-file log: no log path")
	}
	return jsonfile.NewWriter(path, jsonfile.WriterOptions{MaxSize: rot.maxSize, MaxFiles: rot.maxFiles, Attrs: attrs, Compress: rot.compress})
}

// jsonFileDriver writes messages to a json-file log.
type jsonFileDriver struct {
	name string
	w    *jsonfile.Writer
}

func (d *jsonFileDriver) Name() string { return d.name }

func (d *jsonFileDriver) Log(m *Message) error { return d.w.Write(entryOf(m)) }

// Add and FlushAdded make the driver a Batcher: the guard has a read's
// lines written with one write(2).
func (d *jsonFileDriver) Add(m *Message) error { return d.w.Add(entryOf(m)) }

func (d *jsonFileDriver) FlushAdded() (int, error) { return d.w.Flush() }

func (d *jsonFileDriver) Close() error { return d.w.Close() }

func entryOf(m *Message) jsonfile.Entry {
	return jsonfile.Entry{Line: m.Line, Partial: !m.EndsLine(), Stream: m.Stream, Time: m.Time}
}

// jsonFileReader reads a json-file log and its rotated files.
type jsonFileReader struct {
	path     string
	maxFiles int
}

func newJSONFileReader(path string, maxFiles int) (Reader, error) {
	if path == "" {
		return nil, errors.New("json-file log: no log path")
	}
	return jsonFileReader{path: path, maxFiles: maxFiles}, nil
}

func (r jsonFileReader) ReadLogs(ctx context.Context, cfg ReadConfig, fn func(Message) error) error {
	opts := jsonfile.ReadOptions{
		Tail: cfg.Tail, Since: cfg.Since, Until: cfg.Until,
		Stdout: cfg.Stdout, Stderr: cfg.Stderr,
		Follow: cfg.Follow, Done: cfg.Done,
		MaxFiles: r.maxFiles,
	}
	var partial PartialMeta // shared by the messages: fn must not keep them
	return jsonfile.Read(ctx, r.path, opts, func(e jsonfile.Entry) error {
		m := Message{Line: e.Line, Stream: e.Stream, Time: e.Time}
		if e.Partial {
			partial = PartialMeta{} // the file keeps no ID or ordinal
			m.Partial = &partial
		}
		return fn(m)
	})
}
