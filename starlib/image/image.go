// Package image is the scenario language's image module:
//
//	image.ls() -> list of dicts                  docker image ls (RepoTags, Id, Size, Created)
//	image.inspect(ref) -> dict                   docker image inspect
//	image.load(path) -> list of tags             a `docker save` tarball or an OCI layout (dir or tar)
//	image.load_image(path)                       the same: load is a Starlark keyword, so image.load(...)
//	                                             does not parse; the contract's name stays for getattr
//	image.import_rootfs(path, ref) -> dict       a root filesystem directory or tarball as an image
//	image.tag(src, dst)                          docker tag
//	image.rm(ref)                                docker rmi
//	image.save(ref_or_list, path)                docker save -o path
//	image.prune(all=False) -> list of ids        docker image prune [-a]: the images without a tag (all: every unused one)
//	                                             that no container uses
//	image.pull(ref, platform=None, insecure=False, username=None, password=None) -> dict   docker pull
//	image.push(ref, insecure=False, username=None, password=None, all_tags=False)         docker push [--all-tags]
//
// Relative paths are relative to the directory of the running .star file.
// The image "busybox" is always available without any download.
package image

import (
	"fmt"
	"path/filepath"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/session"
)

// StoreFunc returns the image store for a thread (the backend of its
// sandbox).
type StoreFunc func(th *starlark.Thread) (backend.Images, error)

// NewModule returns the image module over the stores that storeOf finds.
func NewModule(storeOf StoreFunc) *starlarkstruct.Module {
	m := &module{storeOf: storeOf}
	return &starlarkstruct.Module{
		Name: "image",
		Members: starlark.StringDict{
			"ls":            m.builtin("image.ls", (*module).ls),
			"inspect":       m.builtin("image.inspect", (*module).inspect),
			"load":          m.builtin("image.load", (*module).load),
			"load_image":    m.builtin("image.load_image", (*module).load),
			"import_rootfs": m.builtin("image.import_rootfs", (*module).importRootfs),
			"tag":           m.builtin("image.tag", (*module).tag),
			"rm":            m.builtin("image.rm", (*module).rm),
			"prune":         m.builtin("image.prune", (*module).prune),
			"save":          m.builtin("image.save", (*module).save),
			"pull":          m.builtin("image.pull", (*module).pull),
			"push":          m.builtin("image.push", (*module).push),
		},
	}
}

type module struct{ storeOf StoreFunc }

// op is an image builtin, given the store of the calling thread.
type op func(m *module, th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error)

// builtin makes a Starlark builtin of an op: it finds the thread's store.
func (m *module) builtin(name string, f op) *starlark.Builtin {
	return starlark.NewBuiltin(name, func(th *starlark.Thread, b *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		st, err := m.storeOf(th)
		if err != nil {
			return nil, err
		}
		return f(m, th, st, b.Name(), a, kw)
	})
}

// resolve makes a path relative to the running file's directory.
func resolve(th *starlark.Thread, path string) string {
	if filepath.IsAbs(path) {
		return path
	}
	if f := session.Get(th).File; f != "" {
		return filepath.Join(filepath.Dir(f), path)
	}
	return path
}

func (m *module) ls(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn, a, kw); err != nil {
		return nil, err
	}
	imgs, err := st.List(session.Context(th))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	var out []any
	for _, img := range imgs {
		out = append(out, img.Summary())
	}
	return args.ToStarlark(out)
}

func (m *module) inspect(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref string
	if err := args.Unpack(fn, a, kw, "ref", &ref); err != nil {
		return nil, err
	}
	img, err := st.Get(session.Context(th), ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return args.ToStarlark(img.Inspect())
}

func (m *module) load(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path string
	if err := args.Unpack(fn, a, kw, "path", &path); err != nil {
		return nil, err
	}
	imgs, err := st.Load(session.Context(th), resolve(th, path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	var tags []any
	for _, img := range imgs {
		for _, t := range img.RepoTags {
			tags = append(tags, t)
		}
		if len(img.RepoTags) == 0 {
			tags = append(tags, img.ID)
		}
	}
	return args.ToStarlark(tags)
}

func (m *module) importRootfs(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var path, ref string
	if err := args.Unpack(fn, a, kw, "path", &path, "ref", &ref); err != nil {
		return nil, err
	}
	img, err := st.ImportRootfs(session.Context(th), resolve(th, path), ref)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return args.ToStarlark(img.Inspect())
}

func (m *module) tag(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var src, dst string
	if err := args.Unpack(fn, a, kw, "src", &src, "dst", &dst); err != nil {
		return nil, err
	}
	if err := st.Tag(session.Context(th), src, dst); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (m *module) rm(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var ref string
	if err := args.Unpack(fn, a, kw, "ref", &ref); err != nil {
		return nil, err
	}
	// Get first: the store builds busybox on first use, and Remove alone
	// would call an image that ls and inspect show "No such image".
	if _, err := st.Get(session.Context(th), ref); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	if err := st.Remove(session.Context(th), ref); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}

func (m *module) prune(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var all bool
	if err := args.Unpack(fn, a, kw, "all?", &all); err != nil {
		return nil, err
	}
	report, err := st.Prune(session.Context(th), backend.PruneOptions{All: all})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	ids := make([]starlark.Value, len(report.Deleted))
	for i, id := range report.Deleted {
		ids[i] = starlark.String(id)
	}
	return starlark.NewList(ids), nil
}
