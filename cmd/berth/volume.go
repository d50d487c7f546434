package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const volumeUsage = `usage: berth volume COMMAND

Commands:
  ls                list the volumes of the root (those kept with keep=True,
                    and those of scenarios running now)
  inspect NAME      show a volume as docker volume inspect does
  rm NAME...        remove volumes (refused while a container uses one)
  prune             remove every volume no container uses, except those of
                    scenarios running now
`

func cmdVolume(g globalOptions, argv []string, stdout, stderr io.Writer) error {
	if len(argv) == 0 {
		fmt.Fprint(stderr, volumeUsage)
		return exitError{2}
	}
	cmd, args := argv[0], argv[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, volumeUsage)
		return nil
	case "ls", "prune":
		if len(args) != 0 {
			return fmt.Errorf("volume %s: want no arguments, got %q", cmd, args)
		}
	case "inspect":
		if len(args) != 1 {
			return fmt.Errorf("volume inspect: want NAME, got %q", args)
		}
	case "rm":
		if len(args) == 0 {
			return fmt.Errorf("volume rm: want NAME..., got no names")
		}
	default:
		return fmt.Errorf("volume: unknown command %q: want ls, inspect, rm or prune", cmd)
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	st := e.Volumes()
	switch cmd {
	case "ls":
		vols, bad, err := st.Scan()
		if err != nil {
			return err
		}
		for _, d := range bad {
			fmt.Fprintf(stderr, "berth: volume %s skipped: %v (berth volume rm %s removes it)\n", d.Name, d.Err, d.Name)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 3, ' ', 0)
		fmt.Fprintln(tw, "DRIVER\tVOLUME NAME\tKEPT")
		for _, v := range vols {
			kept := "no"
			if v.Keep {
				kept = "yes"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", v.Driver, v.Name, kept)
		}
		return tw.Flush()
	case "inspect":
		v, err := e.Volume(context.Background(), args[0])
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "    ")
		return enc.Encode([]any{v.Inspect()})
	case "rm":
		var failed []string
		for _, name := range args {
			if err := e.RemoveVolume(context.Background(), name, name); err != nil {
				fmt.Fprintf(stderr, "berth: %v\n", err)
				failed = append(failed, name)
				continue
			}
			fmt.Fprintln(stdout, name)
		}
		if len(failed) > 0 {
			return exitError{1}
		}
		return nil
	case "prune":
		removed, damaged, err := e.PruneVolumes(context.Background())
		for _, d := range damaged {
			fmt.Fprintf(stderr, "berth: %s\n", d)
		}
		if len(removed) > 0 {
			fmt.Fprintf(stdout, "Deleted Volumes:\n%s\n", strings.Join(removed, "\n"))
		}
		fmt.Fprintf(stdout, "Removed %d volumes\n", len(removed))
		return err
	}
	return nil
}
