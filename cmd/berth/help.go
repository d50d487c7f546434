package main

import (
	"fmt"
	"io"

	"berth/starlib/harness"
)

// cmdHelp is `berth help [NAME]`: without NAME the usage and every name of
// the scenario language, grouped by module; with NAME its signature and
// doc, from the same registry as docs/reference.md.
func cmdHelp(args []string, stdout io.Writer) error {
	reg := harness.Registry()
	switch len(args) {
	case 0:
		fmt.Fprint(stdout, usage)
		fmt.Fprint(stdout, "\nThe scenario language (\"berth help NAME\" shows one name, such as run, network.create or Container.exec):\n\n")
		return reg.WriteList(stdout)
	case 1:
		if err := reg.WriteHelp(stdout, args[0]); err != nil {
			return fmt.Errorf("help: %w; berth help lists every name", err)
		}
		return nil
	}
	return fmt.Errorf("help: want at most one NAME, got %d: %q", len(args), args)
}
