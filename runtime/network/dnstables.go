package network

import (
	"sync"

	"berth/runtime/network/dns"
)

// DNSTables are the membership tables of the embedded DNS, one per
// scenario file (keyed by its top-level sandbox), so networks of files
// running in parallel never mix even when they share a name. A table lives
// while a container of its file holds it. The zero value is ready to use.
type DNSTables struct {
	mu     sync.Mutex
	tables map[any]*HeldDNS
}

// HeldDNS is one hold on a file's table.
type HeldDNS struct {
	key   any
	table *dns.Table
	users int
}

// Table is the held table.
func (h *HeldDNS) Table() *dns.Table { return h.table }

// Hold returns the table of the file whose key is root, for one more
// container.
func (t *DNSTables) Hold(root any) *HeldDNS {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.tables == nil {
		t.tables = map[any]*HeldDNS{}
	}
	h := t.tables[root]
	if h == nil {
		h = &HeldDNS{key: root, table: dns.NewTable()}
		t.tables[root] = h
	}
	h.users++
	return h
}

// Release lets go of a container's hold on its file's table.
func (t *DNSTables) Release(h *HeldDNS) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if h.users--; h.users == 0 {
		delete(t.tables, h.key)
	}
}
