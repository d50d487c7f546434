package capture

import (
	"context"
	"time"

	"go.starlark.net/starlark"

	fluentcap "berth/runtime/capture/fluentd"
	"berth/starlib/args"
)

// fluentd starts a Forward-protocol receiver on loopback for the case.
func fluentd(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn.Name(), a, kw); err != nil {
		return nil, err
	}
	return startFor(th, fn, startFluentd)
}

func startFluentd() (*receiver, func() error, error) {
	srv, err := fluentcap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	return &receiver{kind: "fluentd", addrName: "address", addr: srv.Address(),
		dropped: srv.Overflow,
		wait: func(ctx context.Context, n int) ([]starlark.Value, error) {
			events, err := srv.Wait(ctx, n)
			if err != nil {
				return nil, err
			}
			if err := srv.Err(); err != nil {
				return nil, err
			}
			out := make([]starlark.Value, len(events))
			for i, e := range events {
				v, err := args.ToStarlark(map[string]any{
					"tag":    e.Tag,
					"time":   float64(e.Time.UnixNano()) / float64(time.Second),
					"record": e.Record,
				})
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}}, srv.Close, nil
}
