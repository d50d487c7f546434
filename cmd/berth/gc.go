package main

import (
	"flag"
	"fmt"
	"io"
)

func cmdGC(g globalOptions, argv []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("berth gc", flag.ContinueOnError)
	fs.SetOutput(stderr)
	if err := fs.Parse(argv); err != nil {
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
