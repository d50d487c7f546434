// Package units parses the small textual values berth accepts from scenario
// scripts and the command line: shell-style command strings, durations, byte
// sizes, timestamps, signals and CPU sets. The engine, the Starlark layer and
// the CLI share these parsers so that every entry point accepts the same
// spellings and reports bad input with the same, Docker-compatible, text.
package units
