// Package fluentd is the fluentd log driver: each message goes to a
// Forward-protocol receiver (fluentd, fluent-bit) as
// [tag, time, record, option] through github.com/fluent/fluent-logger-golang,
// the client Docker itself uses, with Docker's options and record keys.
package fluentd

import (
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/fluent/fluent-logger-golang/fluent"
	"github.com/tinylib/msgp/msgp"

	"berth/runtime/logdriver"
)

// Name is the driver's name in log_driver.
const Name = "fluentd"

// Factory describes the driver for a logdriver.Registry. The driver sends
// logs away, so the registry keeps a local copy for logs().
func Factory() logdriver.Factory {
	return logdriver.Factory{
		Name:     Name,
		Options:  options,
		Check:    check,
		New:      New,
		Readback: logdriver.ReadbackLocalCopy,
	}
}

// check validates every option value without connecting anywhere.
func check(opts map[string]string) error {
	if _, err := parseConfig(opts); err != nil {
		return err
	}
	info := logdriver.Info{Config: opts}
	if _, err := info.Tag("{{.ID}}"); err != nil {
		return err
	}
	_, err := info.ExtraAttributes()
	return err
}

// driver posts each message to the client.
type driver struct {
	tag    string
	fixed  record // container_id, container_name and the extra attributes
	writer *fluent.Fluent
	async  *asyncLedger // nil in sync mode
}

// New starts the driver for a container. In sync mode (the default) it
// dials the receiver now, so a receiver that is down fails the start with
// the dial error, as in Docker; with fluentd-async=true it queues messages
// and dials in the background.
func New(info logdriver.Info) (logdriver.Driver, error) {
	return newDriver(info, dropsOf(info))
}

// newDriver is New counting async drops with drop.
func newDriver(info logdriver.Info, drop func(messages, bytes int64, err error)) (*driver, error) {
	cfg, err := parseConfig(info.Config)
	if err != nil {
		return nil, err
	}
	tag, err := info.Tag("{{.ID}}")
	if err != nil {
		return nil, err
	}
	extra, err := info.ExtraAttributes()
	if err != nil {
		return nil, err
	}
	d := &driver{tag: tag, fixed: record{containerID: info.ContainerID, containerName: info.ContainerName}}
	for _, k := range slices.Sorted(maps.Keys(extra)) {
		d.fixed.extra = append(d.fixed.extra, [2]string{k, extra[k]})
	}
	if cfg.Async {
		d.async = newAsyncLedger(drop)
		cfg.AsyncResultCallback = d.async.result
	}
	w, err := fluent.New(cfg)
	if err != nil {
		return nil, err
	}
	d.writer = w
	return d, nil
}

func (d *driver) Name() string { return Name }

// Log hands the message to the client as a msgp.Marshaler: the client then
// encodes it directly, where a map would go through reflection and an
// interface map per message (Docker's way, several times slower).
func (d *driver) Log(m *logdriver.Message) error {
	r := d.fixed
	r.source = m.Stream
	r.log = m.Line
	r.partial = m.Partial
	if d.async == nil {
		return d.writer.EncodeAndPostData(d.tag, m.Time, &r)
	}
	return d.async.post(m, func() error { return d.writer.EncodeAndPostData(d.tag, m.Time, &r) })
}

func (d *driver) Close() error {
	if d.async == nil {
		return d.writer.Close()
	}
	return d.async.close(d.writer.Close)
}

// record is one Forward-protocol record, encoded in a fixed key order:
// container_id, container_name, source, log, the partial_* keys of a
// split line, then the requested labels and env.
type record struct {
	containerID, containerName, source string
	log                                []byte
	partial                            *logdriver.PartialMeta
	extra                              [][2]string
}

// MarshalMsg implements msgp.Marshaler.
func (r *record) MarshalMsg(b []byte) ([]byte, error) {
	n := 4 + len(r.extra)
	if r.partial != nil {
		n += 4
	}
	b = msgp.AppendMapHeader(b, uint32(n))
	b = msgp.AppendString(b, "container_id")
	b = msgp.AppendString(b, r.containerID)
	b = msgp.AppendString(b, "container_name")
	b = msgp.AppendString(b, r.containerName)
	b = msgp.AppendString(b, "source")
	b = msgp.AppendString(b, r.source)
	b = msgp.AppendString(b, "log")
	b = msgp.AppendStringFromBytes(b, r.log)
	if p := r.partial; p != nil {
		b = msgp.AppendString(b, "partial_message")
		b = msgp.AppendString(b, "true")
		b = msgp.AppendString(b, "partial_id")
		b = msgp.AppendString(b, p.ID)
		b = msgp.AppendString(b, "partial_ordinal")
		b = msgp.AppendString(b, strconv.Itoa(p.Ordinal))
		b = msgp.AppendString(b, "partial_last")
		b = msgp.AppendString(b, strconv.FormatBool(p.Last))
	}
	for _, kv := range r.extra {
		b = msgp.AppendString(b, kv[0])
		b = msgp.AppendString(b, kv[1])
	}
	return b, nil
}

// Msgsize implements msgp.Sizer: an upper bound, so the client allocates
// once.
func (r *record) Msgsize() int {
	n := 5 + 4*5 + 64 + len(r.containerID) + len(r.containerName) + len(r.source) + len(r.log)
	if r.partial != nil {
		n += 4*5 + 64 + len(r.partial.ID) + 20 + 5
	}
	for _, kv := range r.extra {
		n += 10 + len(kv[0]) + len(kv[1])
	}
	return n
}

// compile-time checks: the client must see the record as a Marshaler.
var (
	_ msgp.Marshaler = (*record)(nil)
	_ msgp.Sizer     = (*record)(nil)
)

// closeTimeout bounds how long Close waits for an async client to send
// what it queued before counting the rest as dropped.
var closeTimeout = 5 * time.Second
