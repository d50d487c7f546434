package main

import (
	"context"
	"fmt"

	"berth/runtime/backend"
)

// cmdImageSave is berth image save -o PATH REF...: docker save.
func cmdImageSave(g globalOptions, args []string) error {
	if len(args) < 3 || args[0] != "-o" {
		return fmt.Errorf("image save: want -o PATH REF..., got %q", args)
	}
	e, err := openEngine(g)
	if err != nil {
		return err
	}
	return backend.SaveFile(context.Background(), e.Images(), args[2:], args[1])
}
