// Package drivers assembles the registry of every log driver berth has:
// the builtin json-file and none, and the drivers that send logs away,
// which live in their own packages (they import logdriver, so logdriver
// cannot list them itself).
package drivers

import (
	"berth/runtime/logdriver"
	"berth/runtime/logdriver/awslogs"
	"berth/runtime/logdriver/fluentd"
)

// Registry returns a new registry holding all of berth's log drivers.
func Registry() *logdriver.Registry {
	r := logdriver.Builtin()
	for _, f := range []logdriver.Factory{fluentd.Factory(), awslogs.Factory()} {
		if err := r.Register(f); err != nil {
			panic(err) // two drivers of one name: a programming error
		}
	}
	return r
}
