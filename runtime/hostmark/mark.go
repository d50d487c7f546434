// Package hostmark marks what berth makes on the host outside its root
// (bridges, veth pairs, temporary directories) with the process that made
// it, so that `berth gc` finds what a killed run left without any record
// under a root, and never takes what a live process still uses.
//
// A link carries its mark in its alias (ifalias), a temporary directory in
// its name. An owner is a PID with its start time (store.Owner), so that a
// PID reused by a newer process does not pass for the owner, and its PID
// namespace, so that a berth whose PIDs are not ours (in a container that
// shares the host's network) is never judged by them.
package hostmark

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"berth/runtime/store"
)

// word starts every mark, so that gc can tell berth's links from others.
const word = "berth"

// MaxLen is the longest mark a link's alias holds (IFALIASZ less the NUL).
const MaxLen = 255

// Mark says who made a host object, for which root, and what it is.
type Mark struct {
	Owner store.Owner
	// PIDNS is the owner's PID namespace (the inode of /proc/PID/ns/pid):
	// a berth in a container may share the host's network namespace but
	// not its PIDs, and its owners can only be judged from its own.
	PIDNS  uint64
	Root   string // RootID of the berth root it belongs to; "" for none
	Object string // what it is, e.g. "network/0123456789ab" or "host.veth_pair"
}

// NewMark marks an object made by owner, a process of this PID namespace.
func NewMark(owner store.Owner, root, object string) Mark {
	return Mark{Owner: owner, PIDNS: PIDNamespace(), Root: root, Object: object}
}

// OwnerEnded reports whether the mark's owner is known to have ended: it
// ran in this PID namespace and is no longer alive. An owner of another
// namespace, or of a mark without one, cannot be told: not ended.
func (m Mark) OwnerEnded() bool {
	return m.PIDNS != 0 && m.PIDNS == PIDNamespace() && !m.Owner.Alive()
}

// PIDNamespace is this process's PID namespace, 0 if it cannot be read.
var PIDNamespace = sync.OnceValue(func() uint64 {
	var st syscall.Stat_t
	if err := syscall.Stat("/proc/self/ns/pid", &st); err != nil {
		return 0
	}
	return st.Ino
})

// String formats the mark as "berth owner=PID:START pidns=N root=ID
// object=WHAT".
func (m Mark) String() string {
	s := word + " owner=" + m.Owner.String()
	if m.PIDNS != 0 {
		s += " pidns=" + strconv.FormatUint(m.PIDNS, 10)
	}
	if m.Root != "" {
		s += " root=" + m.Root
	}
	if m.Object != "" {
		s += " object=" + m.Object
	}
	return s
}

// Validate refuses a mark that would not read back the same: empty or
// spaced values, or one too long for a link's alias.
func (m Mark) Validate() error {
	if _, err := store.ParseOwner(m.Owner.String()); err != nil {
		return fmt.Errorf("mark: %w", err)
	}
	for _, v := range []string{m.Root, m.Object} {
		if strings.ContainsAny(v, " \t\n=") {
			return fmt.Errorf("mark: value %q has a space or '=': want one word", v)
		}
	}
	if n := len(m.String()); n > MaxLen {
		return fmt.Errorf("mark %q is %d bytes long, at most %d fit a link's alias", m, n, MaxLen)
	}
	return nil
}

// Parse reads a mark. ok is false for anything berth did not write: a
// foreign alias, or a berth mark without a readable owner.
func Parse(s string) (m Mark, ok bool) {
	fields := strings.Fields(s)
	if len(fields) < 2 || fields[0] != word {
		return Mark{}, false
	}
	owner := false
	for _, f := range fields[1:] {
		k, v, found := strings.Cut(f, "=")
		if !found {
			return Mark{}, false
		}
		switch k {
		case "owner":
			o, err := store.ParseOwner(v)
			if err != nil {
				return Mark{}, false
			}
			m.Owner, owner = o, true
		case "pidns":
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				return Mark{}, false
			}
			m.PIDNS = n
		case "root":
			m.Root = v
		case "object":
			m.Object = v
		}
	}
	return m, owner
}

// RootID names a berth root in a mark: the first 12 hex digits of the
// SHA-256 of its absolute path (a path can be longer than an alias).
func RootID(root string) string {
	if abs, err := filepath.Abs(root); err == nil {
		root = abs
	}
	sum := sha256.Sum256([]byte(root))
	return hex.EncodeToString(sum[:6])
}
