package capture_test

import (
	"net"
	"strings"
	"testing"

	"go.starlark.net/starlark"

	"berth/starlib/capture"
	"berth/starlib/internal/startest"
)

// send writes one datagram or stream message to a receiver's address.
var send = starlark.NewBuiltin("send", func(_ *starlark.Thread, _ *starlark.Builtin, a starlark.Tuple, _ []starlark.Tuple) (starlark.Value, error) {
	addr, msg := string(a[0].(starlark.String)), string(a[1].(starlark.String))
	network, where, _ := strings.Cut(addr, "://")
	c, err := net.Dial(network, where)
	if err != nil {
		return nil, err
	}
	defer c.Close()
	_, err = c.Write([]byte(msg))
	return starlark.None, err
})

func TestScripts(t *testing.T) {
	startest.PassAll(t, "testdata", startest.Options(starlark.StringDict{"capture": capture.Module, "send": send}))
}
