package registry_test

import (
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"go.starlark.net/starlark"

	"berth/starlib/internal/startest"
	"berth/starlib/registry"
)

// ping answers GET /v2/ of the registry at addr: 200 while it serves, an
// error once it is stopped. Every address it saw is kept in seen.
type pinger struct {
	mu   sync.Mutex
	seen []string
}

func (p *pinger) builtin() *starlark.Builtin {
	return starlark.NewBuiltin("ping", func(_ *starlark.Thread, _ *starlark.Builtin, a starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
		addr := string(a[0].(starlark.String))
		p.mu.Lock()
		p.seen = append(p.seen, addr)
		p.mu.Unlock()
		resp, err := http.Get("http://" + addr + "/v2/")
		if err != nil {
			return nil, err
		}
		resp.Body.Close()
		return starlark.MakeInt(resp.StatusCode), nil
	})
}

// TestScripts: the registry answers during the case and is stopped when
// the case ends.
func TestScripts(t *testing.T) {
	p := &pinger{}
	startest.PassAll(t, "testdata", startest.Options(starlark.StringDict{"registry": registry.Module, "ping": p.builtin()}))
	if len(p.seen) == 0 {
		t.Fatal("the scripts pinged no registry")
	}
	for _, addr := range p.seen {
		if resp, err := http.Get("http://" + addr + "/v2/"); err == nil {
			resp.Body.Close()
			t.Errorf("registry %s still answers after its case ended (%s)", addr, resp.Status)
		}
	}
}

// TestPushPull: an image written to the registry reads back the same.
func TestPushPull(t *testing.T) {
	srv, err := registry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	img, err := random.Image(1024, 2)
	if err != nil {
		t.Fatal(err)
	}
	ref, err := name.ParseReference(srv.Address() + "/test/img:v1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(ref, img); err != nil {
		t.Fatalf("push: %v", err)
	}
	got, err := remote.Image(ref)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	want, _ := img.Digest()
	if d, _ := got.Digest(); d != want {
		t.Fatalf("pulled digest %s, pushed %s", d, want)
	}
	if err := srv.Close(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Close(); err != nil {
		t.Fatalf("second close: %v", err)
	}
	if _, err := remote.Image(ref); err == nil {
		t.Fatal("the registry still serves after Close")
	}
}

// A registry with credentials refuses anonymous and wrong ones (401) and
// serves the right ones, through its token endpoint or basic auth.
func TestAuth(t *testing.T) {
	srv, err := registry.StartAuth("alice", "s3cret")
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ref, err := name.ParseReference(srv.Address() + "/app:v1")
	if err != nil {
		t.Fatal(err)
	}
	img, err := random.Image(64, 1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		auth authn.Authenticator
		ok   bool
	}{
		{"anonymous", authn.Anonymous, false},
		{"wrong password", &authn.Basic{Username: "alice", Password: "nope"}, false},
		{"right", &authn.Basic{Username: "alice", Password: "s3cret"}, true},
	}
	for _, tt := range tests {
		err := remote.Write(ref, img, remote.WithAuth(tt.auth))
		if tt.ok != (err == nil) {
			t.Errorf("%s: push error %v, want ok=%v", tt.name, err, tt.ok)
		}
		if !tt.ok && (err == nil || !strings.Contains(err.Error(), "UNAUTHORIZED")) {
			t.Errorf("%s: error %v, want UNAUTHORIZED (a 401)", tt.name, err)
		}
		_, err = remote.Image(ref, remote.WithAuth(tt.auth))
		if tt.ok != (err == nil) {
			t.Errorf("%s: pull error %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
	req, _ := http.NewRequest("GET", "http://"+srv.Address()+"/v2/", nil)
	req.SetBasicAuth("alice", "s3cret")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Errorf("basic auth on /v2/: %v %v", resp, err)
	}
	if resp != nil {
		resp.Body.Close()
	}
}
