package image

import "berth/starlib/builtins"

func docFunc(name, returns, doc string, params ...string) builtins.Entry {
	e := builtins.Entry{Name: "image." + name, Kind: builtins.Function, Returns: returns, Doc: doc}
	for _, p := range params {
		e.Params = append(e.Params, builtins.Param{Name: p})
	}
	return e
}

// Docs describes the image module.
var Docs = []builtins.Entry{
	{Name: "image", Kind: builtins.Module,
		Doc: "The image store of berth's root. Images are shared by every run using the root: they are not sandboxed. " +
			"Relative paths are relative to the directory of the scenario file being run. The image `busybox` is " +
			"always there, with no download."},
	docFunc("ls", "list", "The images of the root: one dict per image, with `Id`, `RepoTags`, `Size` and `Created`."),
	docFunc("inspect", "dict", "`docker image inspect`: the document of the image `ref`, with `Id`, `RepoTags`, `RepoDigests`, `Created`, `Size`, "+
		"`Architecture`, `Os`, `RootFS{Type, Layers}` (the layers' diff-ids, bottom first: images sharing a base share its first ones), "+
		"`Config{Cmd, Entrypoint, Env, ExposedPorts, Labels, User, Volumes, WorkingDir}` and, when the image sets them, `Config.StopSignal` and `Config.Healthcheck`.", "ref"),
	docFunc("load_image", "list", "`docker load`: a `docker save` tarball, or an OCI image layout (directory or tar); returns "+
		"the loaded tags (the id of an untagged image).", "path"),
	docFunc("load", "list", "The contract's name of `load_image`. `load` is a Starlark keyword, so `image.load(...)` does "+
		"not parse: use `load_image`, or `getattr(image, \"load\")`.", "path"),
	docFunc("import_rootfs", "dict", "`docker import`: a root filesystem, as a directory or a tar (plain, gzip or bzip2), "+
		"becomes the image `ref`; returns its inspect document.", "path", "ref"),
	docFunc("tag", "", "`docker tag`: `dst` names the image `src` names.", "src", "dst"),
	docFunc("rm", "", "`docker rmi`: removes the tag, and the image once no tag is left; refused while a container's root "+
		"filesystem uses it.", "ref"),
	docFunc("save", "", "`docker save -o path`: the image `ref_or_list` names, or each of a list, in one `docker save` archive at "+
		"`path` (manifest.json, configs, uncompressed layer tars) that `docker load` and `load_image` read; written whole or not "+
		"at all. A tag is saved under that tag, an image given by id untagged. Layers are packed again from the layer store: "+
		"an image loaded from a foreign archive may get new diff-ids, and so a new id, in the saved copy.", "ref_or_list", "path"),
	{Name: "image.prune", Kind: builtins.Function, Returns: "list", Params: []builtins.Param{{Name: "all", Default: "False"}},
		Doc: "`docker image prune`: removes the images without a tag that no container uses; with `all=True` (`-a`) every image " +
			"no container uses, tagged or not (`busybox` comes back on its next use); returns their ids."},
}
