// Package jsonfile reads and writes Docker's json-file log format: one JSON
// object per line, {"log":"...","stream":"stdout","time":"..."}, in a file
// that is rotated to file.1, file.2, ... when it grows past a size limit.
//
// It knows files and bytes, not containers: the log driver in the parent
// package turns container output into Entries and Entries back into
// messages. Files written here are byte-for-byte what Docker writes, so
// tools that read Docker's logs read berth's.
package jsonfile
