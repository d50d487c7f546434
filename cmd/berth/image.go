package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

func cmdImage(g globalOptions, argv []string, stdout, stderr io.Writer) error {
	if len(argv) == 0 {
		return fmt.Errorf("image: want a command: ls, inspect REF, load PATH, import PATH REF, tag SRC DST, rm REF")
	}
	want := map[string]int{"ls": 0, "inspect": 1, "load": 1, "import": 2, "tag": 2, "rm": 1}
	cmd, args := argv[0], argv[1:]
	n, ok := want[cmd]
	if !ok {
		return fmt.Errorf("image: unknown command %q: want ls, inspect, load, import, tag or rm", cmd)
	}
	if len(args) != n {
		return fmt.Errorf("image %s: want %d argument(s), got %d", cmd, n, len(args))
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	st := e.Images()
	switch cmd {
	case "ls":
		imgs, err := st.List()
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 3, ' ', 0)
		fmt.Fprintln(tw, "REPOSITORY:TAG\tIMAGE ID\tSIZE")
		for _, img := range imgs {
			tags := strings.Join(img.RepoTags, ",")
			if tags == "" {
				tags = "<none>"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\n", tags, strings.TrimPrefix(img.ID, "sha256:")[:12], img.Size)
		}
		return tw.Flush()
	case "inspect":
		img, err := st.Get(args[0])
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "    ")
		return enc.Encode([]any{img.Inspect()})
	case "load":
		imgs, err := st.Load(args[0])
		if err != nil {
			return err
		}
		for _, img := range imgs {
			fmt.Fprintf(stdout, "Loaded image: %s\n", strings.Join(append(img.RepoTags, img.ID)[:1], ""))
		}
		return nil
	case "import":
		img, err := st.ImportRootfs(args[0], args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, img.ID)
		return nil
	case "tag":
		return st.Tag(args[0], args[1])
	case "rm":
		if err := st.Remove(args[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Untagged: %s\n", args[0])
		return nil
	}
	return nil
}
