// Package cloudwatch is a local stand-in for Amazon CloudWatch Logs, for
// tests and scenarios: an HTTP server on loopback speaking the service's
// JSON protocol (awsJson1_1, X-Amz-Target Logs_20140328.*) for
// CreateLogGroup, CreateLogStream and PutLogEvents. It checks what a real
// SDK sends — a SigV4 Authorization header (and its signature, when it
// knows the secret key), the PutLogEvents limits (≤ 10,000 events,
// ≤ 1,048,576 bytes counting 26 per event, events ≤ 256 KiB, sorted,
// spanning ≤ 24 h), group and stream existence with the service's
// ResourceNotFound and ResourceAlreadyExists errors — and records every
// request and event for the test to read.
package cloudwatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// The service's limits for one PutLogEvents request.
const (
	perEventBytes = 26
	maxBatchBytes = 1_048_576
	maxBatchCount = 10_000
	maxEventBytes = 262_144
	maxBatchSpan  = int64(24 * time.Hour / time.Millisecond)
	// maxBodyBytes bounds a request body: a full batch escaped as JSON.
	maxBodyBytes = 8 << 20
)

// DefaultMaxEvents bounds the events a server keeps; more are counted in
// Overflow, not kept.
const DefaultMaxEvents = 1_000_000

// Event is one log event as PutLogEvents delivered it.
type Event struct {
	Group, Stream string
	Timestamp     int64 // ms since the epoch
	Message       string
}

// Request is one call the server answered.
type Request struct {
	Operation     string // CreateLogGroup, CreateLogStream, PutLogEvents, ...
	Group, Stream string
	Events        int    // PutLogEvents: how many
	Bytes         int    // PutLogEvents: message bytes plus 26 per event
	AccessKey     string // from the SigV4 credential scope
	Region        string
	LogsFormat    string // the x-amzn-logs-format header (json/emf)
	Error         string // the error type answered, "" for success
}

// Server is a running stand-in.
type Server struct {
	// Secrets maps access key ids to secret keys; a request signed with a
	// listed key must carry the right signature. Set before use.
	Secrets map[string]string

	ln   net.Listener
	srv  *http.Server
	done chan struct{}

	mu        sync.Mutex
	changed   chan struct{}
	groups    map[string]map[string]bool
	events    []Event
	overflow  int64
	requests  []Request
	problems  []error // what a real service would also have refused
	maxEvents int
}

// Listen starts a server on address (e.g. "127.0.0.1:0").
func Listen(address string) (*Server, error) {
	ln, err := net.Listen("tcp", address)
	if err != nil {
		return nil, fmt.Errorf("cloudwatch stand-in: %w", err)
	}
	s := &Server{ln: ln, done: make(chan struct{}), changed: make(chan struct{}),
		groups: map[string]map[string]bool{}, maxEvents: DefaultMaxEvents}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Endpoint is the URL for awslogs-endpoint.
func (s *Server) Endpoint() string { return "http://" + s.ln.Addr().String() }

// Close stops the server; what it recorded stays readable.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// CreateGroup makes a group exist, as if created beforehand.
func (s *Server) CreateGroup(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.groups[name] == nil {
		s.groups[name] = map[string]bool{}
	}
}

// Groups returns the groups and their streams, sorted.
func (s *Server) Groups() map[string][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string][]string{}
	for g, streams := range s.groups {
		out[g] = []string{}
		for st := range streams {
			out[g] = append(out[g], st)
		}
		slices.Sort(out[g])
	}
	return out
}

// Events returns the events so far, in arrival order.
func (s *Server) Events() []Event {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.events)
}

// Requests returns the calls so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Overflow is how many events arrived past the limit and were not kept.
func (s *Server) Overflow() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.overflow
}

// Err reports the requests the real service would have refused too (bad
// signature, broken limits, unsorted events); nil when all were right.
func (s *Server) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return errors.Join(s.problems...)
}

// Wait returns the events once at least n have arrived, or what arrived
// when ctx ends, with an error saying how many came.
func (s *Server) Wait(ctx context.Context, n int) ([]Event, error) {
	for {
		s.mu.Lock()
		got, changed := len(s.events), s.changed
		if got >= n {
			events := slices.Clone(s.events)
			s.mu.Unlock()
			return events, nil
		}
		s.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			events := s.Events()
			return events, fmt.Errorf("cloudwatch stand-in: %d of %d events arrived: %w", len(events), n, context.Cause(ctx))
		}
	}
}

// apiError is an error answer: HTTP 400 with the type in __type.
type apiError struct{ typ, message string }

func (e *apiError) Error() string { return e.typ + ": " + e.message }

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	op, ok := strings.CutPrefix(target, "Logs_20140328.")
	req := Request{Operation: op, LogsFormat: r.Header.Get("x-amzn-logs-format")}
	var body []byte
	var err error
	switch {
	case r.Method != http.MethodPost || !ok:
		err = &apiError{"UnknownOperationException", fmt.Sprintf("%s with X-Amz-Target %q", r.Method, target)}
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.1":
		err = &apiError{"SerializationException", fmt.Sprintf("Content-Type %q, want application/x-amz-json-1.1", r.Header.Get("Content-Type"))}
	default:
		body, err = io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
		if err != nil {
			err = &apiError{"SerializationException", fmt.Sprintf("read body: %v", err)}
		}
	}
	if err == nil {
		req.AccessKey, req.Region, err = s.checkSignature(r, body)
	}
	var answer any = struct{}{}
	if err == nil {
		answer, err = s.handle(op, body, &req)
	}
	var ae *apiError
	if err != nil && !errors.As(err, &ae) {
		ae = &apiError{"InternalFailure", err.Error()}
	}
	s.mu.Lock()
	if ae != nil {
		req.Error = ae.typ
		if ae.typ != "ResourceAlreadyExistsException" && ae.typ != "ResourceNotFoundException" {
			s.problems = append(s.problems, fmt.Errorf("%s: %w", op, ae))
		}
	}
	s.requests = append(s.requests, req)
	close(s.changed)
	s.changed = make(chan struct{})
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Requestid", fmt.Sprintf("berth-%d", time.Now().UnixNano()))
	if ae != nil {
		w.Header().Set("X-Amzn-Errortype", ae.typ)
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"__type": ae.typ, "message": ae.message})
		return
	}
	json.NewEncoder(w).Encode(answer)
}

// handle runs one operation.
func (s *Server) handle(op string, body []byte, req *Request) (any, error) {
	var in struct {
		LogGroupName  string `json:"logGroupName"`
		LogStreamName string `json:"logStreamName"`
		LogEvents     []struct {
			Message   *string `json:"message"`
			Timestamp *int64  `json:"timestamp"`
		} `json:"logEvents"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, &apiError{"SerializationException", err.Error()}
	}
	req.Group, req.Stream = in.LogGroupName, in.LogStreamName
	if in.LogGroupName == "" {
		return nil, &apiError{"InvalidParameterException", "logGroupName is required"}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	streams, groupExists := s.groups[in.LogGroupName]
	switch op {
	case "CreateLogGroup":
		if groupExists {
			return nil, &apiError{"ResourceAlreadyExistsException", "The specified log group already exists"}
		}
		s.groups[in.LogGroupName] = map[string]bool{}
		return struct{}{}, nil
	case "CreateLogStream":
		switch {
		case in.LogStreamName == "":
			return nil, &apiError{"InvalidParameterException", "logStreamName is required"}
		case !groupExists:
			return nil, &apiError{"ResourceNotFoundException", "The specified log group does not exist."}
		case streams[in.LogStreamName]:
			return nil, &apiError{"ResourceAlreadyExistsException", "The specified log stream already exists"}
		}
		streams[in.LogStreamName] = true
		return struct{}{}, nil
	case "PutLogEvents":
		switch {
		case !groupExists:
			return nil, &apiError{"ResourceNotFoundException", "The specified log group does not exist."}
		case !streams[in.LogStreamName]:
			return nil, &apiError{"ResourceNotFoundException", "The specified log stream does not exist."}
		case len(in.LogEvents) == 0:
			return nil, &apiError{"InvalidParameterException", "logEvents must hold at least one event"}
		case len(in.LogEvents) > maxBatchCount:
			return nil, &apiError{"InvalidParameterException", fmt.Sprintf("%d log events in one request, at most %d", len(in.LogEvents), maxBatchCount)}
		}
		var events []Event
		for i, e := range in.LogEvents {
			if e.Message == nil || e.Timestamp == nil || *e.Message == "" {
				return nil, &apiError{"InvalidParameterException", fmt.Sprintf("log event %d: message and timestamp are required", i)}
			}
			size := len(*e.Message) + perEventBytes
			if size > maxEventBytes {
				return nil, &apiError{"InvalidParameterException", fmt.Sprintf("log event %d is %d bytes with its overhead, at most %d", i, size, maxEventBytes)}
			}
			req.Bytes += size
			if i > 0 && *e.Timestamp < events[i-1].Timestamp {
				return nil, &apiError{"InvalidParameterException", "Log events in a single PutLogEvents request must be in chronological order."}
			}
			events = append(events, Event{Group: in.LogGroupName, Stream: in.LogStreamName, Timestamp: *e.Timestamp, Message: *e.Message})
		}
		req.Events = len(events)
		if req.Bytes > maxBatchBytes {
			return nil, &apiError{"InvalidParameterException", fmt.Sprintf("request is %d bytes counting %d per event, at most %d", req.Bytes, perEventBytes, maxBatchBytes)}
		}
		if span := events[len(events)-1].Timestamp - events[0].Timestamp; span > maxBatchSpan {
			return nil, &apiError{"InvalidParameterException", "The batch of log events in a single PutLogEvents request cannot span more than 24 hours."}
		}
		for _, e := range events {
			if len(s.events) >= s.maxEvents {
				s.overflow++
				continue
			}
			s.events = append(s.events, e)
		}
		return map[string]any{}, nil
	default:
		return nil, &apiError{"UnknownOperationException", fmt.Sprintf("%s is not served here (berth's CloudWatch Logs stand-in serves CreateLogGroup, CreateLogStream and PutLogEvents)", op)}
	}
}
