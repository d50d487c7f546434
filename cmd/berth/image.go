package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

const imageUsage = `usage: berth image COMMAND

Commands:
  ls                list the images
  inspect REF       show an image as docker image inspect does
  load PATH         load a docker save archive or an OCI image layout
  save -o PATH REF...  write the images as one docker save archive
  import PATH REF   make an image of a root filesystem (directory or tar)
  tag SRC DST       give an image another name
  rm REF            remove a name, and the image with its last one
  prune [-a]        remove the images without a name that no container uses
                    (-a: every image no container uses); prints the space reclaimed
  pull [--platform OS/ARCH] [-q] [--insecure] REF
                    fetch an image from its registry (plain HTTP only on loopback);
                    a progress bar per layer on a terminal, a summary line otherwise
  push [-a|--all-tags] [--insecure] REF
                    send an image to the registry its name says
                    (-a: every stored tag of the repository REF names)
`

// imageArgs names the arguments of an image command; ok is false for an
// unknown command.
func imageArgs(cmd string) (names []string, ok bool) {
	switch cmd {
	case "ls":
		return nil, true
	case "inspect", "rm":
		return []string{"REF"}, true
	case "load":
		return []string{"PATH"}, true
	case "import":
		return []string{"PATH", "REF"}, true
	case "tag":
		return []string{"SRC", "DST"}, true
	}
	return nil, false
}

func cmdImage(g globalOptions, argv []string, stdout, stderr io.Writer) error {
	if len(argv) == 0 {
		fmt.Fprint(stderr, imageUsage)
		return exitError{2}
	}
	cmd, args := argv[0], argv[1:]
	switch cmd {
	case "-h", "-help", "--help", "help":
		fmt.Fprint(stdout, imageUsage)
		return nil
	}
	switch cmd {
	case "save":
		return cmdImageSave(g, args)
	case "pull":
		return cmdImagePull(g, args, stdout, stderr)
	case "prune":
		return cmdImagePrune(g, args, stdout, stderr)
	case "push":
		return cmdImagePush(g, args, stdout, stderr)
	}
	names, ok := imageArgs(cmd)
	if !ok {
		return fmt.Errorf("image: unknown command %q: want ls, inspect, load, save, import, tag, rm, prune, pull or push", cmd)
	}
	if len(args) != len(names) {
		want := "no arguments"
		if len(names) > 0 {
			want = strings.Join(names, " ")
		}
		return fmt.Errorf("image %s: want %s, got %q", cmd, want, args)
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	ctx := context.Background()
	st := e.Images()
	switch cmd {
	case "ls":
		imgs, err := st.List(ctx)
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
		img, err := st.Get(ctx, args[0])
		if err != nil {
			return err
		}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "    ")
		return enc.Encode([]any{img.Inspect()})
	case "load":
		imgs, err := st.Load(ctx, args[0])
		if err != nil {
			return err
		}
		for _, img := range imgs {
			fmt.Fprintf(stdout, "Loaded image: %s\n", strings.Join(append(img.RepoTags, img.ID)[:1], ""))
		}
		return nil
	case "import":
		img, err := st.ImportRootfs(ctx, args[0], args[1])
		if err != nil {
			return err
		}
		fmt.Fprintln(stdout, img.ID)
		return nil
	case "tag":
		return st.Tag(ctx, args[0], args[1])
	case "rm":
		if err := st.Remove(ctx, args[0]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Untagged: %s\n", args[0])
		return nil
	}
	return nil
}
