// Package store keeps berth's on-disk state safe when several berth
// processes share it: files are replaced atomically, shared tables are
// serialised with file locks, and owner records identify a process by its
// PID and start time so that a reused PID is not taken for a live owner.
package store
