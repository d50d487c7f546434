package main

import (
	"flag"
	"fmt"
	"io"
)

const gcUsage = `usage: berth gc

Removes what berth runs that were killed (SIGKILL, a crash) left under the
root: their containers and processes, overlay mounts, cgroups and state
directories, their volumes (not those kept with keep=True), and their
networks with their bridges on the host. What berth runs still alive own
is left alone, so gc is safe while other runs use the same root.
`

func cmdGC(g globalOptions, argv []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("berth gc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprint(stderr, gcUsage) }
	if err := parseFlags(fs, argv); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("gc takes no arguments, got %q", fs.Args())
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	rep, err := e.GC()
	fmt.Fprintln(stdout, rep)
	return err
}
