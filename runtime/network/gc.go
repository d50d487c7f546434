package network

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"berth/runtime/hostmark"
	"berth/runtime/network/netdev"
	"berth/runtime/store"
)

// Files of a network's directory. The owner file repeats the record's
// owner, so that GC can still tell whose the network is when network.json
// is damaged or gone.
const (
	recordFile = "network.json"
	ownerFile  = "owner"
)

// writeRecord writes the owner file, then the record: a directory with a
// record always has its owner file.
func (m *Manager) writeRecord(dir string, rec Record) error {
	if err := store.WriteFileAtomic(filepath.Join(dir, ownerFile), []byte(m.owner+"\n"), 0o600); err != nil {
		return err
	}
	return store.WriteJSON(filepath.Join(dir, recordFile), rec)
}

// markBridge writes the network's owner into its bridge's alias, so that
// GC finds the bridge of a dead owner even without its record.
func (m *Manager) markBridge(rec Record) error {
	o, err := store.ParseOwner(m.owner)
	if err != nil {
		return fmt.Errorf("mark bridge %s: %w", rec.Device, err)
	}
	mark := hostmark.NewMark(o, m.rootID, "network/"+rec.ID[:12])
	if err := mark.Validate(); err != nil {
		return fmt.Errorf("mark bridge %s: %w", rec.Device, err)
	}
	return netdev.SetAlias(m.host, rec.Device, mark.String())
}

// GCResult is what GC removed, and what it had to leave with the reason.
type GCResult struct {
	Networks int      // networks of dead owners, with their bridges
	Links    int      // links of dead owners found by their mark alone
	Left     []string // damaged records GC could not settle
}

// GC removes what dead berth processes left: their endpoints, their
// networks with their bridges, and, on the host, every link berth marked
// for an owner that is no longer alive (whatever its root, and whether or
// not a record still names it). A network whose record is damaged is
// judged by its owner file; without one it is left and reported.
func (m *Manager) GC() (GCResult, error) {
	var res GCResult
	lock, err := m.lockAll()
	if err != nil {
		return res, err
	}
	defer lock.Unlock()
	entries, err := os.ReadDir(m.dir)
	if err != nil {
		return res, fmt.Errorf("list networks: %w", err)
	}
	var errs []error
	for _, ent := range entries {
		if !ent.IsDir() {
			continue
		}
		removed, err := m.gcNetwork(ent.Name(), &res)
		if err != nil {
			errs = append(errs, err)
		}
		if removed {
			res.Networks++
		}
	}
	n, err := m.sweepMarkedLinks()
	res.Links = n
	if err != nil {
		errs = append(errs, err)
	}
	return res, errors.Join(errs...)
}

// gcNetwork removes the network in directory id if its owner is dead, and
// the endpoints of dead owners otherwise. The caller holds the lock.
func (m *Manager) gcNetwork(id string, res *GCResult) (removed bool, err error) {
	dir := m.netDir(id)
	var rec Record
	recErr := store.ReadJSON(filepath.Join(dir, recordFile), &rec)
	if recErr == nil {
		if m.alive(rec.Owner) {
			return false, m.dropDeadEndpoints(id)
		}
		return true, m.destroy(rec)
	}
	data, ownerErr := os.ReadFile(filepath.Join(dir, ownerFile))
	owner := strings.TrimSpace(string(data))
	switch {
	case errors.Is(recErr, fs.ErrNotExist) && errors.Is(ownerErr, fs.ErrNotExist):
		// A creation that died half-way: a live one holds the lock we
		// hold now. It made no bridge yet (that comes after the record).
	case ownerErr == nil && owner != "" && !m.alive(owner):
		// Its bridge, if any, carries the same owner in its mark: the
		// sweep of marked links removes it.
	case ownerErr == nil && owner != "" && m.alive(owner):
		res.Left = append(res.Left, fmt.Sprintf("network %s: %v; its owner, process %s, is alive: left alone", id, recErr, owner))
		return false, nil
	default:
		res.Left = append(res.Left, fmt.Sprintf("network %s: %v, and its owner file is unreadable: left; remove %s once no berth run uses it (its bridge, if marked, goes with its owner)", id, recErr, dir))
		return false, nil
	}
	if err := os.RemoveAll(dir); err != nil {
		return false, fmt.Errorf("remove network %s: %w", id, err)
	}
	return !errors.Is(recErr, fs.ErrNotExist) || ownerErr == nil, nil
}

// sweepMarkedLinks deletes the host links whose mark names an owner that
// has ended (see hostmark.Mark.OwnerEnded). Links without a berth mark are
// never touched, and liveness is always the process table's (never a
// test's stand-in).
func (m *Manager) sweepMarkedLinks() (int, error) {
	links, err := netdev.AliasedLinks(m.host)
	if err != nil {
		return 0, fmt.Errorf("gc host links: %w", err)
	}
	n := 0
	var errs []error
	for _, l := range links {
		mark, ok := hostmark.Parse(l.Alias)
		if !ok || !mark.OwnerEnded() {
			continue
		}
		// Deleting one end of a veth pair deletes the other: that one is
		// then gone, and not counted.
		if _, err := m.host.LinkByName(l.Name); err != nil {
			continue
		}
		if err := netdev.DeleteLink(m.host, l.Name); err != nil {
			errs = append(errs, fmt.Errorf("gc host links: %w", err))
			continue
		}
		n++
	}
	return n, errors.Join(errs...)
}

func (m *Manager) dropDeadEndpoints(id string) error {
	dir := filepath.Join(m.netDir(id), "endpoints")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	for _, ent := range entries {
		if filepath.Ext(ent.Name()) != ".json" {
			continue // a live Connect's file being written
		}
		p := filepath.Join(dir, ent.Name())
		data, err := os.ReadFile(p)
		var ep Endpoint
		if err != nil || json.Unmarshal(data, &ep) != nil || !m.alive(ep.Owner) {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}
