package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.starlark.net/starlark"
	"golang.org/x/sys/unix"

	"berth/runtime/fsroot"
	"berth/starlib/dialect"
)

// loader implements load() for one file run: paths relative to the loading
// file or, with "//", to the suite root; each module executed once; cycles
// reported. It is used by one file's threads, which run one at a time.
//
// A module must lie under the suite root, and is read through it (see
// readModule): load() never reads a file outside the suite, by an absolute
// path, by ".." or through a symlink, nor shows any of its content.
type loader struct {
	root        string
	predeclared starlark.StringDict
	modules     map[string]*loadedModule // by absolute path
	loading     []string                 // display paths being executed, outermost first
}

type loadedModule struct {
	done    bool
	globals starlark.StringDict
	err     error
}

// newLoader makes the loader of the file at path; that file counts as
// being loaded, so that a module loading it back is a cycle.
func newLoader(path, root string, predeclared starlark.StringDict) *loader {
	l := &loader{root: root, predeclared: predeclared, modules: make(map[string]*loadedModule)}
	if abs, err := filepath.Abs(path); err == nil {
		l.modules[abs] = &loadedModule{}
		l.loading = []string{path}
	}
	return l
}

// load is a starlark.Thread.Load. The module is executed on the loading
// thread, so a failure inside it carries the whole call stack and it sees
// the loading thread's session and sandbox.
func (l *loader) load(th *starlark.Thread, module string) (starlark.StringDict, error) {
	path, err := l.resolve(th.CallFrame(0).Pos.Filename(), module)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	if m, ok := l.modules[abs]; ok {
		if !m.done {
			return nil, fmt.Errorf("cycle in load graph: %s -> %s", strings.Join(l.cycleFrom(abs), " -> "), path)
		}
		return m.globals, m.err
	}
	m := &loadedModule{}
	l.modules[abs] = m
	l.loading = append(l.loading, path)
	m.globals, m.err = l.exec(th, path)
	l.loading = l.loading[:len(l.loading)-1]
	m.done = true
	return m.globals, m.err
}

// cycleFrom returns the modules being loaded from the one at abs onwards.
func (l *loader) cycleFrom(abs string) []string {
	i := slices.IndexFunc(l.loading, func(p string) bool {
		a, err := filepath.Abs(p)
		return err == nil && a == abs
	})
	if i < 0 {
		return l.loading
	}
	return l.loading[i:]
}

func (l *loader) resolve(from, module string) (string, error) {
	switch {
	case module == "" || module == "//":
		return "", fmt.Errorf("empty module name, want a path such as \"helpers.star\" or \"//lib/x.star\"")
	case strings.HasPrefix(module, "//"):
		return filepath.Join(l.root, module[2:]), nil
	case filepath.IsAbs(module):
		return filepath.Clean(module), nil
	}
	return filepath.Join(filepath.Dir(from), module), nil
}

func (l *loader) exec(th *starlark.Thread, path string) (starlark.StringDict, error) {
	src, err := l.readModule(path)
	if err != nil {
		return nil, err
	}
	f, err := parseFile(path, src)
	if err != nil {
		return nil, err
	}
	prog, err := dialect.FileProgram(f, l.predeclared)
	if err != nil {
		return nil, err
	}
	globals, err := prog.Init(th, l.predeclared)
	globals.Freeze()
	return globals, err
}

// readModule reads the module at path, which must lie under the suite
// root: lexically, and once symlinks are followed (the kernel resolves it
// beneath the root's directory, see fsroot.OpenBeneath).
func (l *loader) readModule(path string) ([]byte, error) {
	outside := fmt.Errorf("%s is outside the suite root %s: load() reads only files under it", path, l.root)
	rootAbs, err := filepath.Abs(l.root)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	rel, err := filepath.Rel(rootAbs, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, "../") {
		return nil, outside
	}
	root, err := fsroot.OpenBeneath(l.root)
	if err != nil {
		return nil, fmt.Errorf("open the suite root: %w", err)
	}
	defer root.Close()
	src, err := root.ReadFile(rel, fsroot.MaxReadFile)
	var pe *os.PathError
	switch {
	case errors.Is(err, unix.EXDEV):
		return nil, fmt.Errorf("%s leads outside the suite root %s through a symlink: load() reads only files under it", path, l.root)
	case errors.As(err, &pe):
		return nil, &os.PathError{Op: pe.Op, Path: path, Err: pe.Err}
	case err != nil:
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return src, nil
}
