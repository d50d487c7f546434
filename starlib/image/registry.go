package image

import (
	"fmt"

	"go.starlark.net/starlark"

	"berth/runtime/backend"
	"berth/starlib/args"
	"berth/starlib/builtins"
	"berth/starlib/session"
)

// RegistryDocs describes image.pull and image.push.
var RegistryDocs = []builtins.Entry{
	{Name: "image.pull", Kind: builtins.Function, Returns: "dict",
		Params: []builtins.Param{{Name: "ref"}, {Name: "platform", Default: "None"}, {Name: "insecure", Default: "False"}, {Name: "username", Default: "None"}, {Name: "password", Default: "None"}},
		Doc: "`docker pull`: fetches `ref` from its registry (`busybox` is `docker.io/library/busybox:latest`, as with " +
			"Docker) for `platform` (`\"linux/arm64\"`; this machine's by default), with the credentials of " +
			"`~/.docker/config.json` unless `username` and `password` are given, over HTTPS unless the registry is on loopback or `insecure=True`. Layers download " +
			"in parallel; a layer already stored is not downloaded again; an interrupted pull leaves no half layer. " +
			"Offline (`--offline`, `BERTH_OFFLINE=1`) a registry off loopback is refused at once. Returns the image's inspect document."},
	{Name: "image.push", Kind: builtins.Function,
		Params: []builtins.Param{{Name: "ref"}, {Name: "insecure", Default: "False"}, {Name: "username", Default: "None"}, {Name: "password", Default: "None"}, {Name: "all_tags", Default: "False"}},
		Doc: "`docker push`: sends the stored image `ref` to the registry its name says (tag it `ADDRESS/NAME:TAG` " +
			"first, say for `registry.serve()`). Plain HTTP only for a loopback registry or `insecure=True`. Credentials as for `image.pull`. " +
			"`all_tags=True` (`--all-tags`): `ref` is a repository without a tag, and every stored tag of it is pushed."},
}

func (m *module) pull(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		ref      string
		platform starlark.Value = starlark.None
		insecure bool
		auth     backend.Auth
	)
	if err := args.Unpack(fn, a, kw, "ref", &ref, "platform?", &platform, "insecure?", &insecure,
		"username??", &auth.Username, "password??", &auth.Password); err != nil {
		return nil, err
	}
	var plat string
	switch p := platform.(type) {
	case starlark.NoneType:
	case starlark.String:
		plat = string(p)
	default:
		return nil, fmt.Errorf("%s: platform: got %s, want a string such as \"linux/amd64\" or None", fn, platform.Type())
	}
	img, err := st.Pull(session.Context(th), ref, backend.PullOptions{Platform: plat, Insecure: insecure, Auth: auth})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return args.ToStarlark(img.Inspect())
}

func (m *module) push(th *starlark.Thread, st backend.Images, fn string, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var (
		ref      string
		insecure bool
		allTags  bool
		auth     backend.Auth
	)
	if err := args.Unpack(fn, a, kw, "ref", &ref, "insecure?", &insecure, "username??", &auth.Username, "password??", &auth.Password, "all_tags?", &allTags); err != nil {
		return nil, err
	}
	if err := st.Push(session.Context(th), ref, backend.PushOptions{Insecure: insecure, Auth: auth, AllTags: allTags}); err != nil {
		return nil, fmt.Errorf("%s: %w", fn, err)
	}
	return starlark.None, nil
}
