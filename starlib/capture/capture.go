// Package capture is the scenario language's capture module: log
// receivers for the case, which a container's log driver is pointed at
// and whose messages a case asserts on.
//
//	capture.syslog(proto="udp"|"tcp"|"unix", format=None) -> Receiver
//	r.address                                  the driver's address
//	r.messages(count=None, timeout="5s")       parsed messages, in arrival order
//	capture.fluentd()    -> a Forward-protocol receiver (address, messages)
//	capture.cloudwatch() -> a CloudWatch Logs stand-in (endpoint, messages)
//
// The receivers themselves are runtime/capture's; each is stopped, and
// its socket removed, when the case ends. Every receiver is one Value over
// a Source: a new receiver adds a builtin to Module that starts it and
// returns Serve(th, fn, source).
package capture

import (
	"context"
	"errors"
	"fmt"
	"time"

	"go.starlark.net/starlark"
	"go.starlark.net/starlarkstruct"

	rcapture "berth/runtime/capture"
	"berth/starlib/args"
	"berth/starlib/session"
)

// Module is the capture module.
var Module = &starlarkstruct.Module{
	Name: "capture",
	Members: starlark.StringDict{
		"syslog":     starlark.NewBuiltin("capture.syslog", syslog),
		"fluentd":    starlark.NewBuiltin("capture.fluentd", start("fluentd")),
		"cloudwatch": starlark.NewBuiltin("capture.cloudwatch", start("cloudwatch")),
	},
}

func syslog(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	proto, format := "udp", starlark.Value(starlark.None)
	if err := args.Unpack(fn.Name(), a, kw, "proto?", &proto, "format?", &format); err != nil {
		return nil, err
	}
	f := ""
	if format != starlark.None {
		s, ok := starlark.AsString(format)
		if !ok {
			return nil, fmt.Errorf("%s: format: got %s, want a string or None", fn.Name(), format.Type())
		}
		f = s
	}
	r, err := rcapture.ListenSyslog(proto, f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return Serve(th, fn, r)
}

// Source is a running receiver behind a capture value: runtime/capture's
// syslog receiver, or the fluentd and CloudWatch servers through the
// adapters beside this file. Messages with count < 0 returns what arrived
// so far, at once.
type Source interface {
	rcapture.Receiver
	// Dropped is how many messages that reached the receiver it does not
	// keep.
	Dropped() int64
}

// Serve ties a started receiver to the case (closed when it ends) and
// returns its Starlark value.
func Serve(th *starlark.Thread, fn *starlark.Builtin, r Source) (starlark.Value, error) {
	if err := session.AddCleanup(th, r.Close); err != nil {
		return nil, errors.Join(fmt.Errorf("%s: %w", fn.Name(), err), r.Close())
	}
	return NewValue(r), nil
}

// NewValue is r as a Starlark value (Serve also ties it to the case).
func NewValue(r Source) *Value { return &Value{r: r} }

// Value is a receiver as a Starlark value: address (endpoint for
// CloudWatch), dropped, messages.
type Value struct{ r Source }

func (v *Value) String() string        { return "<capture." + v.r.Kind() + " " + v.r.Address() + ">" }
func (v *Value) Type() string          { return "capture." + v.r.Kind() }
func (v *Value) Freeze()               {}
func (v *Value) Truth() starlark.Bool  { return true }
func (v *Value) Hash() (uint32, error) { return starlark.String(v.r.Address()).Hash() }

// AttrNames: CloudWatch's receiver calls its address endpoint.
func (v *Value) AttrNames() []string {
	if v.r != nil && v.r.Kind() == "cloudwatch" {
		return []string{"dropped", "endpoint", "messages"}
	}
	return []string{"address", "dropped", "messages"}
}

func (v *Value) Attr(name string) (starlark.Value, error) {
	switch {
	case name == "dropped":
		return starlark.MakeInt64(v.r.Dropped()), nil
	case name == "messages":
		return starlark.NewBuiltin("messages", v.messages).BindReceiver(v), nil
	case (name == "address" && v.r.Kind() != "cloudwatch") || (name == "endpoint" && v.r.Kind() == "cloudwatch"):
		return starlark.String(v.r.Address()), nil
	}
	return nil, nil
}

func (v *Value) messages(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	count := starlark.Value(starlark.None)
	timeout := args.Duration(5 * time.Second)
	if err := args.Unpack(fn.Name(), a, kw, "count?", &count, "timeout?", &timeout); err != nil {
		return nil, err
	}
	n := -1
	if count != starlark.None {
		if err := starlark.AsInt(count, &n); err != nil || n < 0 {
			return nil, fmt.Errorf("%s: count: got %s, want a non-negative int or None", fn.Name(), count)
		}
	}
	recs, err := v.r.Messages(session.Context(th), n, timeout.Std())
	if err != nil {
		return nil, fmt.Errorf("%s of %s: %w", fn.Name(), v, err)
	}
	list := make([]starlark.Value, 0, len(recs))
	for _, rec := range recs {
		d, err := args.ToStarlark(map[string]any(rec))
		if err != nil {
			return nil, err
		}
		list = append(list, d)
	}
	return starlark.NewList(list), nil
}

// starter starts one receiver.
type starter func() (Source, error)

var starters = map[string]starter{"fluentd": startFluentd, "cloudwatch": startCloudWatch}

// start is a builtin that starts a receiver of kind for the case, stopped
// with the case's sandbox.
func start(kind string) func(*starlark.Thread, *starlark.Builtin, starlark.Tuple, []starlark.Tuple) (starlark.Value, error) {
	return func(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
		if err := args.Unpack(fn.Name(), a, kw); err != nil {
			return nil, err
		}
		r, err := starters[kind]()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fn.Name(), err)
		}
		return Serve(th, fn, r)
	}
}

// Start starts a receiver outside any case — kind "fluentd" or
// "cloudwatch" — for tools and tests; the caller stops it.
func Start(kind string) (starlark.Value, func() error, error) {
	start, ok := starters[kind]
	if !ok {
		return nil, nil, fmt.Errorf("capture.Start: kind %q: want fluentd or cloudwatch", kind)
	}
	r, err := start()
	if err != nil {
		return nil, nil, err
	}
	return NewValue(r), r.Close, nil
}

// TypeValues are values of the documented types, by type name, unstarted:
// for tests that check each type's attributes against its docs.
func TypeValues() map[string]starlark.HasAttrs {
	return map[string]starlark.HasAttrs{
		"FluentdReceiver":    NewValue(unstarted("fluentd")),
		"CloudWatchReceiver": NewValue(unstarted("cloudwatch")),
	}
}

// unstarted is a Source of a kind that never started: TypeValues' values
// have their attribute names, nothing else.
type unstarted string

func (u unstarted) Kind() string    { return string(u) }
func (u unstarted) Address() string { return "" }
func (u unstarted) Dropped() int64  { return 0 }
func (u unstarted) Close() error    { return nil }
func (u unstarted) Messages(context.Context, int, time.Duration) ([]rcapture.Record, error) {
	return nil, fmt.Errorf("capture.%s: not started", string(u))
}
