// Package capture is the scenario language's capture module: log
// receivers for a case, so scenarios can check what a log driver sent.
//
//	capture.fluentd()    -> a Forward-protocol receiver (address, messages)
//	capture.cloudwatch() -> a CloudWatch Logs stand-in (endpoint, messages)
//
// Each runs in the berth process on loopback and is stopped with the
// case's sandbox.
package capture

import (
	"fmt"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	"berth/starlib/session"
)

// Module is the capture module.
var Module = &starlarkstruct.Module{
	Name: "capture",
	Members: starlark.StringDict{
		"fluentd":    starlark.NewBuiltin("capture.fluentd", fluentd),
		"cloudwatch": starlark.NewBuiltin("capture.cloudwatch", cloudwatchServer),
	},
}

// starter starts one receiver and returns it with what stops it.
type starter func() (*receiver, func() error, error)

// startFor starts a receiver for the case running on th: it is stopped
// with the case's sandbox.
func startFor(th *starlark.Thread, fn *starlark.Builtin, start starter) (starlark.Value, error) {
	r, stop, err := start()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	if err := session.AddCleanup(th, stop); err != nil {
		stop()
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return r, nil
}

// Start starts a receiver outside any case — kind "fluentd" or
// "cloudwatch" — for tools and tests; the caller stops it.
func Start(kind string) (starlark.Value, func() error, error) {
	starters := map[string]starter{"fluentd": startFluentd, "cloudwatch": startCloudWatch}
	start, ok := starters[kind]
	if !ok {
		return nil, nil, fmt.Errorf("capture.Start: kind %q: want fluentd or cloudwatch", kind)
	}
	return start()
}

// TypeValues are values of the documented types, by type name, unstarted:
// for tests that check each type's attributes against its docs.
func TypeValues() map[string]starlark.HasAttrs {
	return map[string]starlark.HasAttrs{
		"FluentdReceiver":    &receiver{kind: "fluentd", addrName: "address"},
		"CloudWatchReceiver": &receiver{kind: "cloudwatch", addrName: "endpoint"},
	}
}
