package image

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/compression"
	"github.com/google/go-containerregistry/pkg/name"
	ggcrregistry "github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"berth/runtime/backend"
)

// testRegistry serves go-containerregistry's registry on loopback; wrap,
// when set, sits in front of it (to fail or corrupt answers). blobGets
// counts GETs of each blob digest.
type testRegistry struct {
	addr     string
	mu       sync.Mutex
	blobGets map[string]int
}

func startRegistry(t testing.TB, wrap func(http.Handler) http.Handler) *testRegistry {
	t.Helper()
	reg := &testRegistry{blobGets: map[string]int{}}
	var h http.Handler = ggcrregistry.New(ggcrregistry.Logger(log.New(io.Discard, "", 0)))
	if wrap != nil {
		h = wrap(h)
	}
	inner := h
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if i := strings.Index(r.URL.Path, "/blobs/sha256:"); i >= 0 && r.Method == http.MethodGet {
			reg.mu.Lock()
			reg.blobGets[r.URL.Path[i+len("/blobs/"):]]++
			reg.mu.Unlock()
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	reg.addr = strings.TrimPrefix(srv.URL, "http://")
	return reg
}

func (r *testRegistry) put(t testing.TB, ref string, img v1.Image) {
	t.Helper()
	tag, err := name.ParseReference(r.addr + "/" + ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(tag, img); err != nil {
		t.Fatal(err)
	}
}

func (r *testRegistry) gets(digest v1.Hash) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.blobGets[digest.String()]
}

func twoLayerImage(t *testing.T, top string) (v1.Image, v1.Layer) {
	base := ggcrLayer(t, tarBytes(t, dir("etc"), file("etc/base", "base\n")), compression.GZip)
	return ggcrImage(t, false, base, ggcrLayer(t, tarBytes(t, file("top", top)), compression.GZip)), base
}

// A pulled image is tagged as Docker names it, its layers are in the layer
// store, and a second image sharing the base downloads only its own layer.
func TestPullStoresLayersOnce(t *testing.T) {
	reg := startRegistry(t, nil)
	one, base := twoLayerImage(t, "one\n")
	two, _ := twoLayerImage(t, "two\n")
	reg.put(t, "app/one:v1", one)
	reg.put(t, "app/two:v1", two)
	s := openStore(t)
	img, err := s.Pull(context.Background(), reg.addr+"/app/one:v1", backend.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if want := reg.addr + "/app/one:v1"; len(img.RepoTags) != 1 || img.RepoTags[0] != want {
		t.Fatalf("RepoTags %q, want [%s]", img.RepoTags, want)
	}
	if got := readString(t, filepath.Join(img.Layers[1], "top")); got != "one\n" {
		t.Fatalf("top layer's /top = %q", got)
	}
	if _, err := s.Pull(context.Background(), reg.addr+"/app/two:v1", backend.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	d, _ := base.Digest()
	if n := reg.gets(d); n != 1 {
		t.Errorf("the shared base layer was downloaded %d times, want 1", n)
	}
	if n, err := s.LayerCount(); err != nil || n != 3 {
		t.Errorf("layer store holds %d layers (%v), want 3", n, err)
	}
}

// Push packs the stored layers again; pulling the pushed image into
// another store gives the same files, whiteouts included.
func TestPushPullRoundTrip(t *testing.T) {
	reg := startRegistry(t, nil)
	base := ggcrLayer(t, tarBytes(t, dir("d"), file("d/gone", "x"), file("d/kept", "k"), file("f", "f\n")), compression.GZip)
	top := ggcrLayer(t, tarBytes(t, file("d/.wh.gone", ""), file("h", "h\n"), hardlink("g", "h")), compression.GZip)
	reg.put(t, "src:v1", ggcrImage(t, false, base, top))
	a := openStore(t)
	if _, err := a.Pull(context.Background(), reg.addr+"/src:v1", backend.PullOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := a.Tag(reg.addr+"/src:v1", reg.addr+"/copy:v2"); err != nil {
		t.Fatal(err)
	}
	if err := a.Push(context.Background(), reg.addr+"/copy:v2", backend.PushOptions{}); err != nil {
		t.Fatal(err)
	}
	b := openStore(t)
	img, err := b.Pull(context.Background(), reg.addr+"/copy:v2", backend.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	root := mountImage(t, img)
	if got := readString(t, filepath.Join(root, "d/kept")); got != "k" {
		t.Errorf("d/kept = %q", got)
	}
	mustNotExist(t, filepath.Join(root, "d/gone"))
	if got := readString(t, filepath.Join(root, "g")); got != "h\n" {
		t.Errorf("g = %q", got)
	}
}

// A registry that refuses or fails leaves a clear error naming the image
// (and the layer when a layer failed) and nothing in the store.
func TestPullFailuresLeaveNothing(t *testing.T) {
	img, base := twoLayerImage(t, "top\n")
	baseDigest, _ := base.Digest()
	tests := []struct {
		name string
		wrap func(http.Handler) http.Handler
		want []string
	}{
		{"unauthorized", func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(http.StatusUnauthorized)
			})
		}, []string{"pull ", "/app:v1", "401"}},
		{"blob 500", failBlob(baseDigest, func(w http.ResponseWriter) { http.Error(w, "boom", http.StatusInternalServerError) }),
			[]string{"/app:v1", "layer 1", baseDigest.String(), "500"}},
		{"blob corrupt", failBlob(baseDigest, func(w http.ResponseWriter) { w.Write([]byte("not the layer")) }),
			[]string{"/app:v1", "layer 1", baseDigest.String()}},
		{"missing", nil, []string{"/nosuch:v1", "NAME_UNKNOWN"}},
		{"blob cut mid-way", cutBlob(baseDigest), []string{"/app:v1", "layer 1", baseDigest.String()}},
		{"blob stalls", stallBlob(baseDigest), []string{"/app:v1", "layer 1", baseDigest.String(), "sent nothing for"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := startRegistry(t, nil)
			reg.put(t, "app:v1", img)
			if tt.wrap != nil {
				reg = startRegistryOver(t, reg, tt.wrap)
			}
			ref := reg.addr + "/app:v1"
			if tt.name == "missing" {
				ref = reg.addr + "/nosuch:v1"
			}
			s := openStore(t)
			s.registryTimeout = 300 * time.Millisecond
			_, err := s.Pull(context.Background(), ref, backend.PullOptions{})
			if err == nil {
				t.Fatal("pull succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			checkStoreEmpty(t, s)
			// A later pull, from a registry that works, starts clean.
			good := startRegistry(t, nil)
			good.put(t, "app:v1", img)
			if _, err := s.Pull(context.Background(), good.addr+"/app:v1", backend.PullOptions{}); err != nil {
				t.Fatalf("a later pull: %v", err)
			}
		})
	}
}

// startRegistryOver puts wrap in front of reg's contents, on a new port.
func startRegistryOver(t *testing.T, reg *testRegistry, wrap func(http.Handler) http.Handler) *testRegistry {
	proxy := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		resp, err := http.DefaultTransport.RoundTrip(cloneTo(r, reg.addr))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		defer resp.Body.Close()
		for k, v := range resp.Header {
			w.Header()[k] = v
		}
		w.WriteHeader(resp.StatusCode)
		io.Copy(w, resp.Body)
	})
	return startRegistry(t, func(http.Handler) http.Handler { return wrap(proxy) })
}

func cloneTo(r *http.Request, addr string) *http.Request {
	out := r.Clone(r.Context())
	out.URL.Scheme, out.URL.Host, out.RequestURI = "http", addr, ""
	return out
}

// failBlob answers GETs of the blob digest with fail, the rest as next.
func failBlob(digest v1.Hash, fail func(http.ResponseWriter)) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/blobs/"+digest.String()) {
				fail(w)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// cutBlob sends half the blob, then closes the connection.
func cutBlob(digest v1.Hash) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+digest.String()) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			body := rec.Body.Bytes()
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.WriteHeader(http.StatusOK)
			w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
	}
}

// stallBlob answers the blob's headers, then sends nothing until the
// client gives up.
func stallBlob(digest v1.Hash) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/blobs/"+digest.String()) {
				next.ServeHTTP(w, r)
				return
			}
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			w.Header().Set("Content-Length", strconv.Itoa(rec.Body.Len()))
			w.WriteHeader(http.StatusOK)
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
	}
}

// Credentials given, or found in the Docker client's config file, reach a
// registry that asks for them; none, or wrong ones, get a clear refusal.
func TestPullCredentials(t *testing.T) {
	img, _ := twoLayerImage(t, "top\n")
	reg := startRegistry(t, nil)
	reg.put(t, "app:v1", img)
	locked := startRegistryOver(t, reg, func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if u, p, ok := r.BasicAuth(); !ok || u != "alice" || p != "s3cret" {
				w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			next.ServeHTTP(w, r)
		})
	})
	ref := locked.addr + "/app:v1"
	cfg := t.TempDir()
	t.Setenv("DOCKER_CONFIG", cfg)
	tests := []struct {
		name    string
		auth    backend.Auth
		config  string // config.json; "" for none
		offline bool
		want    string // "" for success
	}{
		{"none", backend.Auth{}, "", false, "401"},
		{"wrong", backend.Auth{Username: "alice", Password: "x"}, "", false, "401"},
		{"half", backend.Auth{Username: "alice"}, "", false, "username and password go together"},
		{"given", backend.Auth{Username: "alice", Password: "s3cret"}, "", false, ""},
		{"config.json", backend.Auth{}, `{"auths": {"` + locked.addr + `": {"auth": "YWxpY2U6czNjcmV0"}}}`, false, ""},
		{"config.json offline", backend.Auth{}, `{"auths": {"http://` + locked.addr + `/v1/": {"username": "alice", "password": "s3cret"}}}`, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			os.Remove(filepath.Join(cfg, "config.json"))
			if tt.config != "" {
				if err := os.WriteFile(filepath.Join(cfg, "config.json"), []byte(tt.config), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			s := openStore(t)
			s.SetOffline(tt.offline)
			_, err := s.Pull(context.Background(), ref, backend.PullOptions{Auth: tt.auth})
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

func TestPullRefusesBadPlatform(t *testing.T) {
	s := openStore(t)
	_, err := s.Pull(context.Background(), "127.0.0.1:1/x:v1", backend.PullOptions{Platform: "linux"})
	if err == nil || !strings.Contains(err.Error(), `invalid platform "linux"`) {
		t.Fatalf("error %v, want invalid platform", err)
	}
	if _, err := os.Stat(s.dir); err != nil {
		t.Fatal(err)
	}
}

// An image whose layers another image also lists (here: the same layers
// under another config) can be removed while the other one's stack is
// mounted, since removing it frees no layer; the mounted one cannot.
func TestRemoveImageSharingAMountedStack(t *testing.T) {
	reg := startRegistry(t, nil)
	base := ggcrLayer(t, tarBytes(t, file("f", "f\n")), compression.GZip)
	one := ggcrImage(t, false, base)
	two, err := mutate.Config(one, v1.Config{Env: []string{"TWIN=1"}})
	if err != nil {
		t.Fatal(err)
	}
	reg.put(t, "one:1", one)
	reg.put(t, "two:1", two)
	s := openStore(t)
	ctx := context.Background()
	a, err := s.Pull(ctx, reg.addr+"/one:1", backend.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.Pull(ctx, reg.addr+"/two:1", backend.PullOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if a.ID == b.ID || !slices.Equal(a.Layers, b.Layers) {
		t.Fatalf("want two images with the same layers: %s %q, %s %q", a.ID, a.Layers, b.ID, b.Layers)
	}
	root := mountImage(t, a)
	if err := s.Remove(reg.addr + "/two:1"); err != nil {
		t.Errorf("removing the twin of a mounted image: %v", err)
	}
	if got := readString(t, filepath.Join(root, "f")); got != "f\n" {
		t.Errorf("the mounted image lost its files: f = %q", got)
	}
	if err := s.Remove(reg.addr + "/one:1"); !errors.Is(err, ErrInUse) {
		t.Errorf("removing the mounted image: %v, want ErrInUse", err)
	}
}

// Offline, a registry off this machine is refused at once with an error
// naming the image; a loopback registry still works.
func TestPullOffline(t *testing.T) {
	reg := startRegistry(t, nil)
	one, _ := twoLayerImage(t, "one\n")
	reg.put(t, "app:v1", one)
	s := openStore(t)
	s.SetOffline(true)
	for _, ref := range []string{"busybox", "registry.example.com/app:v1", "10.1.2.3:5000/app:v1"} {
		_, err := s.Pull(context.Background(), ref, backend.PullOptions{})
		if err == nil || !strings.Contains(err.Error(), "pull "+ref+": berth is offline") {
			t.Errorf("pull %s offline: error %v, want the offline refusal naming it", ref, err)
		}
		err = s.Push(context.Background(), ref, backend.PushOptions{})
		if err == nil || !strings.Contains(err.Error(), "push "+ref+": berth is offline") {
			t.Errorf("push %s offline: error %v, want the offline refusal naming it", ref, err)
		}
	}
	if _, err := s.Pull(context.Background(), reg.addr+"/app:v1", backend.PullOptions{}); err != nil {
		t.Fatalf("pull from loopback offline: %v", err)
	}
}
