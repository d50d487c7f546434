package image

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// registryTimeout is how long a registry may stay silent (no answer to a
// request, no bytes of a body) before its pull or push fails.
const registryTimeout = 30 * time.Second

// registryTransport is the transport of pulls and pushes.
//
// go-containerregistry speaks plain HTTP to loopback, RFC 1918 and .local
// registries by itself, but berth allows plain HTTP only to loopback, or
// when the scenario asked for insecure. Offline, nothing but loopback is
// contacted at all (a token realm elsewhere included). A registry silent
// for longer than timeout fails the request instead of hanging it.
type registryTransport struct {
	next     http.RoundTripper
	insecure bool
	offline  bool
	timeout  time.Duration
}

// errSilent is the cause of a request cancelled because the registry
// stopped answering.
var errSilent = errors.New("registry stopped answering")

func (t registryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	host := req.URL.Hostname()
	if t.offline && !loopbackHost(host) {
		return nil, offlineError(req.URL.Host)
	}
	if req.URL.Scheme == "http" && !t.insecure && !loopbackHost(host) {
		return nil, fmt.Errorf("refusing plain HTTP to %s: only a loopback registry, or insecure=True, gets it", req.URL.Host)
	}
	if t.timeout <= 0 {
		return t.next.RoundTrip(req)
	}
	ctx, cancel := context.WithCancelCause(req.Context())
	w := &watchdog{timeout: t.timeout, cancel: cancel, host: req.URL.Host}
	w.timer = time.AfterFunc(t.timeout, func() { cancel(errSilent) })
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	if err != nil {
		w.stop()
		return nil, w.explain(ctx, err)
	}
	resp.Body = &watchedBody{ReadCloser: resp.Body, w: w, ctx: ctx}
	return resp, nil
}

// watchdog cancels a request when its timer runs out; every read of the
// body restarts it.
type watchdog struct {
	timeout time.Duration
	cancel  context.CancelCauseFunc
	host    string
	timer   *time.Timer
	once    sync.Once
}

func (w *watchdog) stop() {
	w.once.Do(func() {
		w.timer.Stop()
		w.cancel(nil)
	})
}

func (w *watchdog) explain(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), errSilent) {
		return fmt.Errorf("registry %s sent nothing for %s: %w", w.host, w.timeout, errSilent)
	}
	return err
}

type watchedBody struct {
	io.ReadCloser
	w   *watchdog
	ctx context.Context
}

func (b *watchedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.w.timer.Reset(b.w.timeout)
	}
	if err != nil && err != io.EOF {
		err = b.w.explain(b.ctx, err)
	}
	return n, err
}

func (b *watchedBody) Close() error {
	err := b.ReadCloser.Close()
	b.w.stop()
	return err
}

func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// offlineError is the one refusal of a registry off this machine in
// offline mode.
func offlineError(host string) error {
	return fmt.Errorf("berth is offline (--offline or BERTH_OFFLINE=1) and the registry %s is not on this machine: load the image from a file (image.load_image, berth image load) or serve it from a loopback registry", host)
}

// transportOption is the remote option that applies registryTransport.
func (s *Store) transportOption(insecure bool) remote.Option {
	return remote.WithTransport(registryTransport{next: remote.DefaultTransport, insecure: insecure, offline: s.offline, timeout: s.registryTimeout})
}
