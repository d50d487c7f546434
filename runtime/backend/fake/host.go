package fake

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"maps"
	"slices"
	"sync"

	"berth/runtime/backend"
	"berth/runtime/spec"
)

// Host is the fake host: two CPUs unless SetInfo says otherwise, and a
// list of links made by CreateVethPair.
type Host struct {
	mu    sync.Mutex
	info  spec.Host
	links map[string]bool
}

var _ backend.Host = (*Host)(nil)

func newHost() *Host {
	return &Host{info: spec.Host{NumCPU: 2, CPUs: []int{0, 1}}, links: map[string]bool{}}
}

func (h *Host) Info() spec.Host {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.info
}

// SetInfo sets the CPUs limits are checked against.
func (h *Host) SetInfo(info spec.Host) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.info = info
}

func (h *Host) CreateVethPair(ctx context.Context) (backend.VethPair, error) {
	buf := make([]byte, 4)
	_, _ = rand.Read(buf)
	suffix := hex.EncodeToString(buf)
	p := backend.VethPair{A: "bvp" + suffix + "a", B: "bvp" + suffix + "b"}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.links[p.A], h.links[p.B] = true, true
	return p, nil
}

func (h *Host) RemoveVethPair(ctx context.Context, p backend.VethPair) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.links, p.A)
	delete(h.links, p.B)
	return nil
}

// Links lists the links the fake host has, sorted.
func (h *Host) Links() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Sorted(maps.Keys(h.links))
}

func (h *Host) hasLink(name string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.links[name]
}
