package main

import (
	"context"
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

On the host, outside any root, it also removes the links (bridges, veth
pairs) and host.tempdir directories that berth marked for a run that has
ended, whatever root that run used. Links berth did not mark are never
touched.

A damaged record (record.json, network.json, volume.json) stops nothing:
gc judges the container or network by its owner file, leaves what it
cannot tell the owner of, and names it on stderr with the way out.
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
	rep, err := e.GC(context.Background())
	fmt.Fprintln(stdout, rep)
	for _, l := range rep.Left {
		fmt.Fprintf(stderr, "berth gc: %s\n", l)
	}
	return err
}
