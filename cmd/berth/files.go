package main

import (
	"fmt"
	"os"
	"strings"
)

// checkScenarioFile fails early, before an engine is opened, for a path
// that cannot be a scenario.
func checkScenarioFile(path string) error {
	st, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("run: scenario file %q: %w", path, unwrap(err))
	}
	if st.IsDir() {
		return fmt.Errorf("run: %q is a directory: want a .star file (use berth test for a directory)", path)
	}
	if !strings.HasSuffix(path, ".star") {
		return fmt.Errorf("run: %q: want a .star file", path)
	}
	return nil
}

// checkTestPaths fails early for a path of berth test that does not exist.
func checkTestPaths(paths []string) error {
	for _, p := range paths {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("test: path %q: %w", p, unwrap(err))
		}
	}
	return nil
}

func unwrap(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}
