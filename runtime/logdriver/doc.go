// Package logdriver is the container log pipeline: a Copier turns a
// process's stdout or stderr into Messages (one per line, long lines split
// at 16 KiB as Docker does) and hands them to sinks — a log Driver and, for
// a foreground run, a Capture of the raw output. Drivers are found by name
// in a Registry (json-file and none today; drivers that cannot read their
// own logs get a local json-file copy, Docker's "dual logging"), and a
// Reader gives the logs back for logs() and wait_for_log, with tail,
// since/until, stream filters and follow.
//
// The json-file format itself (writing, rotation, reading backwards and
// following) lives in the jsonfile subpackage.
package logdriver
