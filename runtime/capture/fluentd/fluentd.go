// Package fluentd is a receiver for fluentd's Forward protocol (v1), for
// tests and scenarios: it accepts what a fluentd log driver (or any
// Forward client) sends over TCP or a unix socket and keeps the events, in
// arrival order, for the test to read. It decodes with a real msgpack
// library (github.com/vmihailenco/msgpack/v5, independent of the client's
// encoder) and understands the three event modes — Message, Forward and
// PackedForward, gzip-compressed or not — integer and EventTime times, and
// answers the "chunk" option with its ack.
package fluentd

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/vmihailenco/msgpack/v5"
	"github.com/vmihailenco/msgpack/v5/msgpcode"
)

// Event is one record the receiver got.
type Event struct {
	Tag    string
	Time   time.Time
	Record map[string]any
	// Mode is how it came: "message", "forward" or "packed"
	// ("compressed" for gzip'd PackedForward).
	Mode string
}

// DefaultMaxEvents bounds what a receiver keeps: a sender can send without
// end, the receiver's memory must not grow without end. Events past it are
// counted (Overflow), not kept.
const DefaultMaxEvents = 1_000_000

// Server is a running receiver.
type Server struct {
	ln        net.Listener
	network   string
	maxEvents int

	mu       sync.Mutex
	changed  chan struct{} // closed and replaced on every new event
	events   []Event
	overflow int64
	errs     []error // protocol errors, by connection
	conns    map[net.Conn]bool
	stalled  chan struct{} // non-nil while stalled: readers wait for it to close
	closed   bool
	wg       sync.WaitGroup
}

// Listen starts a receiver on network "tcp" (address such as
// "127.0.0.1:0") or "unix" (a socket path).
func Listen(network, address string) (*Server, error) {
	switch network {
	case "tcp", "unix":
	default:
		return nil, fmt.Errorf("fluentd receiver: network %q: want tcp or unix", network)
	}
	ln, err := net.Listen(network, address)
	if err != nil {
		return nil, fmt.Errorf("fluentd receiver: %w", err)
	}
	s := &Server{ln: ln, network: network, maxEvents: DefaultMaxEvents,
		changed: make(chan struct{}), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	return s, nil
}

// Address is the receiver's address as fluentd-address takes it:
// "tcp://127.0.0.1:PORT" or "unix:///path".
func (s *Server) Address() string {
	if s.network == "unix" {
		return "unix://" + s.ln.Addr().String()
	}
	return "tcp://" + s.ln.Addr().String()
}

// Close stops the receiver and closes its connections. The events stay
// readable.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	for c := range s.conns {
		c.Close()
	}
	if s.stalled != nil {
		close(s.stalled)
		s.stalled = nil
	}
	s.mu.Unlock()
	err := s.ln.Close()
	s.wg.Wait()
	return err
}

// Stall makes the receiver stop reading (connections stay open, the
// sender's writes block once the socket buffers are full) until Resume:
// a receiver that hangs.
func (s *Server) Stall() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled == nil && !s.closed {
		s.stalled = make(chan struct{})
	}
}

// Resume undoes Stall.
func (s *Server) Resume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stalled != nil {
		close(s.stalled)
		s.stalled = nil
	}
}

// Events returns a copy of the events so far, in arrival order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Event(nil), s.events...)
}

// Received is how many events arrived, kept or not.
func (s *Server) Received() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(len(s.events)) + s.overflow
}

// Overflow is how many events arrived past the limit and were not kept.
func (s *Server) Overflow() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overflow
}

// Err reports the protocol errors seen (a connection that sent something
// that is not the Forward protocol is closed).
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.errs...)
}

// Wait returns the events once at least n have arrived, or what arrived
// when ctx ends, with an error saying how many of n came.
func (s *Server) Wait(ctx context.Context, n int) ([]Event, error) {
	for {
		s.mu.Lock()
		got, changed := len(s.events), s.changed
		if got >= n {
			events := append([]Event(nil), s.events...)
			s.mu.Unlock()
			return events, nil
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			events := s.Events()
			return events, fmt.Errorf("fluentd receiver: %d of %d events arrived: %w", len(events), n, context.Cause(ctx))
		}
	}
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			c.Close()
			return
		}
		s.conns[c] = true
		s.wg.Add(1)
		s.mu.Unlock()
		go s.serve(c)
	}
}

// stallGate blocks while the receiver is stalled.
func (s *Server) stallGate() {
	s.mu.Lock()
	ch := s.stalled
	s.mu.Unlock()
	if ch != nil {
		<-ch
	}
}

// gatedReader waits out stalls before each read.
type gatedReader struct {
	s *Server
	r io.Reader
}

func (g gatedReader) Read(p []byte) (int, error) {
	g.s.stallGate()
	return g.r.Read(p)
}

func (s *Server) serve(c net.Conn) {
	defer s.wg.Done()
	defer func() {
		s.mu.Lock()
		delete(s.conns, c)
		s.mu.Unlock()
		c.Close()
	}()
	dec := msgpack.NewDecoder(bufio.NewReader(gatedReader{s, c}))
	for {
		err := s.decodeOne(dec, c)
		if err == nil {
			continue
		}
		if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.ErrUnexpectedEOF) {
			s.mu.Lock()
			if !s.closed {
				s.errs = append(s.errs, fmt.Errorf("connection from %s: %w", c.RemoteAddr(), err))
			}
			s.mu.Unlock()
		}
		return
	}
}

// decodeOne reads one Forward-protocol request and acks it when asked.
func (s *Server) decodeOne(dec *msgpack.Decoder, w io.Writer) error {
	n, err := dec.DecodeArrayLen()
	if err != nil {
		return err
	}
	if n < 2 || n > 4 {
		return fmt.Errorf("request is an array of %d, want 2 to 4", n)
	}
	tag, err := dec.DecodeString()
	if err != nil {
		return fmt.Errorf("tag: %w", err)
	}
	code, err := dec.PeekCode()
	if err != nil {
		return err
	}
	var (
		events []Event
		option map[string]any
	)
	switch {
	case msgpcode.IsFixedArray(code) || code == msgpcode.Array16 || code == msgpcode.Array32:
		// Forward: [tag, [[time, record], ...], option?]
		entries, err := dec.DecodeArrayLen()
		if err != nil {
			return err
		}
		for range entries {
			e, err := decodeEntry(dec)
			if err != nil {
				return fmt.Errorf("forward entry: %w", err)
			}
			e.Tag, e.Mode = tag, "forward"
			events = append(events, e)
		}
		if n > 2 {
			if option, err = decodeOption(dec); err != nil {
				return err
			}
		}
	case msgpcode.IsBin(code) || msgpcode.IsString(code):
		// PackedForward: [tag, entries as one msgpack stream, option?]
		packed, err := dec.DecodeBytes()
		if err != nil {
			return err
		}
		if n > 2 {
			if option, err = decodeOption(dec); err != nil {
				return err
			}
		}
		mode := "packed"
		var r io.Reader = bytes.NewReader(packed)
		if option["compressed"] == "gzip" {
			zr, err := gzip.NewReader(r)
			if err != nil {
				return fmt.Errorf("compressed entries: %w", err)
			}
			r, mode = zr, "compressed"
		}
		events, err = decodeStream(msgpack.NewDecoder(r), tag, mode)
		if err != nil {
			return err
		}
	default:
		// Message: [tag, time, record, option?]
		if n < 3 {
			return fmt.Errorf("message mode request is an array of %d, want 3 or 4", n)
		}
		t, err := decodeTime(dec)
		if err != nil {
			return err
		}
		rec, err := dec.DecodeMap()
		if err != nil {
			return fmt.Errorf("record: %w", err)
		}
		events = []Event{{Tag: tag, Time: t, Record: rec, Mode: "message"}}
		if n > 3 {
			if option, err = decodeOption(dec); err != nil {
				return err
			}
		}
	}
	s.add(events)
	if chunk, ok := option["chunk"].(string); ok && chunk != "" {
		ack, err := msgpack.Marshal(map[string]string{"ack": chunk})
		if err != nil {
			return err
		}
		if _, err := w.Write(ack); err != nil {
			return fmt.Errorf("write ack: %w", err)
		}
	}
	return nil
}

func (s *Server) add(events []Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, e := range events {
		if len(s.events) >= s.maxEvents {
			s.overflow++
			continue
		}
		s.events = append(s.events, e)
	}
	close(s.changed)
	s.changed = make(chan struct{})
}

// decodeStream reads [time, record] entries until the stream ends.
func decodeStream(dec *msgpack.Decoder, tag, mode string) ([]Event, error) {
	var events []Event
	for {
		if _, err := dec.PeekCode(); errors.Is(err, io.EOF) {
			return events, nil
		}
		e, err := decodeEntry(dec)
		if err != nil {
			return nil, fmt.Errorf("%s entry %d: %w", mode, len(events)+1, err)
		}
		e.Tag, e.Mode = tag, mode
		events = append(events, e)
	}
}

func decodeEntry(dec *msgpack.Decoder) (Event, error) {
	n, err := dec.DecodeArrayLen()
	if err != nil {
		return Event{}, err
	}
	if n != 2 {
		return Event{}, fmt.Errorf("entry is an array of %d, want [time, record]", n)
	}
	t, err := decodeTime(dec)
	if err != nil {
		return Event{}, err
	}
	rec, err := dec.DecodeMap()
	if err != nil {
		return Event{}, fmt.Errorf("record: %w", err)
	}
	return Event{Time: t, Record: rec}, nil
}

// decodeTime reads an event time: unix seconds, or EventTime (extension
// type 0: seconds and nanoseconds, big-endian uint32 each).
func decodeTime(dec *msgpack.Decoder) (time.Time, error) {
	code, err := dec.PeekCode()
	if err != nil {
		return time.Time{}, err
	}
	if msgpcode.IsExt(code) {
		id, size, err := dec.DecodeExtHeader()
		if err != nil {
			return time.Time{}, err
		}
		if id != 0 || size != 8 {
			return time.Time{}, fmt.Errorf("time: extension type %d of %d bytes, want EventTime (type 0, 8 bytes)", id, size)
		}
		var b [8]byte
		if err := dec.ReadFull(b[:]); err != nil {
			return time.Time{}, err
		}
		return time.Unix(int64(binary.BigEndian.Uint32(b[:4])), int64(binary.BigEndian.Uint32(b[4:]))).UTC(), nil
	}
	sec, err := dec.DecodeInt64()
	if err != nil {
		return time.Time{}, fmt.Errorf("time: %w", err)
	}
	return time.Unix(sec, 0).UTC(), nil
}

func decodeOption(dec *msgpack.Decoder) (map[string]any, error) {
	if code, err := dec.PeekCode(); err == nil && code == msgpcode.Nil {
		return nil, dec.Skip()
	}
	m, err := dec.DecodeMap()
	if err != nil {
		return nil, fmt.Errorf("option: %w", err)
	}
	return m, nil
}
