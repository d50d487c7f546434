// Package registry is the scenario language's registry module:
//
//	registry.serve(username=None, password=None) -> Registry
//	                                  an OCI registry on loopback for the case; with
//	                                  credentials, it asks for them (token auth, as
//	                                  Docker Hub: 401 with a Bearer challenge, a
//	                                  token endpoint taking basic auth; basic auth
//	                                  is accepted directly too)
//
// The registry is go-containerregistry's in-memory pkg/registry, served by
// the berth process itself on 127.0.0.1 (no container, nothing of the
// backend). It holds what is pushed to it until the case ends, when it is
// stopped with the sandbox.
package registry

import (
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/starlib/args"
	"berth/starlib/session"
)

// Module is the registry module.
var Module = &starlarkstruct.Module{
	Name:    "registry",
	Members: starlark.StringDict{"serve": starlark.NewBuiltin("registry.serve", serve)},
}

func serve(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var username, password string
	if err := args.Unpack(fn.Name(), a, kw, "username??", &username, "password??", &password); err != nil {
		return nil, err
	}
	if (username == "") != (password == "") {
		return nil, fmt.Errorf("%s: username and password go together: give both or neither", fn.Name())
	}
	srv, err := StartAuth(username, password)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	if err := session.AddCleanup(th, srv.Close); err != nil {
		srv.Close()
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return srv, nil
}

// Server is a running registry; as a Starlark value, a Registry.
type Server struct {
	addr  string
	http  *http.Server
	done  chan error
	close func() error
}

// Start serves an empty registry on 127.0.0.1 at a free port.
func Start() (*Server, error) { return StartAuth("", "") }

// StartAuth is Start with credentials ("" for none).
func StartAuth(username, password string) (*Server, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen on loopback: %w", err)
	}
	quiet := log.New(io.Discard, "", 0)
	s := &Server{
		addr: ln.Addr().String(),
		http: &http.Server{Handler: ggcrregistry.New(ggcrregistry.Logger(quiet)), ReadHeaderTimeout: 10 * time.Second},
		done: make(chan error, 1),
	}
	if username != "" {
		s.http.Handler = newAuth(username, password, s.http.Handler)
	}
	s.close = sync.OnceValue(s.stop)
	go func() { s.done <- s.http.Serve(ln) }()
	return s, nil
}

// Address is "127.0.0.1:PORT".
func (s *Server) Address() string { return s.addr }

// Close stops the registry and forgets its contents; closing twice is no error.
func (s *Server) Close() error { return s.close() }

func (s *Server) stop() error {
	// Close, not Shutdown: a client's kept-alive connection must not hold
	// the case's teardown; nothing the registry serves needs finishing.
	if err := s.http.Close(); err != nil {
		return fmt.Errorf("stop registry %s: %w", s.addr, err)
	}
	if serr := <-s.done; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return fmt.Errorf("registry %s: %w", s.addr, serr)
	}
	return nil
}

func (s *Server) String() string        { return "<registry " + s.addr + ">" }
func (s *Server) Type() string          { return "registry" }
func (s *Server) Freeze()               {}
func (s *Server) Truth() starlark.Bool  { return true }
func (s *Server) Hash() (uint32, error) { return starlark.String(s.addr).Hash() }
func (s *Server) AttrNames() []string   { return []string{"address"} }

func (s *Server) Attr(name string) (starlark.Value, error) {
	if name == "address" {
		return starlark.String(s.addr), nil
	}
	return nil, nil
}
