package runner

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.starlark.net/starlark"
)

// loader implements load() for one file run: paths relative to the loading
// file or, with "//", to the suite root; each module executed once; cycles
// reported. It is used by one file's threads, which run one at a time.
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
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	f, err := parseFile(path, src)
	if err != nil {
		return nil, err
	}
	prog, err := starlark.FileProgram(f, l.predeclared.Has)
	if err != nil {
		return nil, err
	}
	globals, err := prog.Init(th, l.predeclared)
	globals.Freeze()
	return globals, err
}
