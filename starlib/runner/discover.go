package runner

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrNoScenarios is returned by Test when the paths hold no .star file.
var ErrNoScenarios = errors.New("no .star files found")

// scenarioFile is a file to run and the suite root its //-loads are
// relative to.
type scenarioFile struct {
	path string // as found, cleaned
	root string
}

// findFiles expands paths into scenario files, in argument order, each
// file once. See the package doc for what is skipped.
func findFiles(paths []string) ([]scenarioFile, error) {
	if len(paths) == 0 {
		paths = []string{"."}
	}
	var files []scenarioFile
	seen := make(map[string]bool)
	add := func(path, root string) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return fmt.Errorf("find scenarios: %w", err)
		}
		if !seen[abs] {
			seen[abs] = true
			files = append(files, scenarioFile{path: filepath.Clean(path), root: filepath.Clean(root)})
		}
		return nil
	}
	for _, arg := range paths {
		info, err := os.Stat(arg)
		if err != nil {
			return nil, fmt.Errorf("find scenarios: %w", err)
		}
		if !info.IsDir() {
			if err := add(arg, filepath.Dir(arg)); err != nil {
				return nil, err
			}
			continue
		}
		err = filepath.WalkDir(arg, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if path == arg {
				return nil // the argument itself is never skipped
			}
			if d.IsDir() {
				if skipDir(d.Name()) {
					return filepath.SkipDir
				}
				return nil
			}
			if skipFile(d.Name()) {
				return nil
			}
			return add(path, arg)
		})
		if err != nil {
			return nil, fmt.Errorf("find scenarios in %s: %w", arg, err)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%w in %s", ErrNoScenarios, strings.Join(paths, ", "))
	}
	return files, nil
}

// skipDir: testdata holds golden files and fixtures, lib holds load()ed
// helpers, and _ or . marks what the author hides.
func skipDir(name string) bool {
	return name == "testdata" || name == "lib" || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")
}

func skipFile(name string) bool {
	return !strings.HasSuffix(name, ".star") || strings.HasPrefix(name, "_") || strings.HasPrefix(name, ".")
}
