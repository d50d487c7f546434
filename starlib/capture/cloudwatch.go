package capture

import (
	"context"
	"fmt"

	"go.starlark.net/starlark"

	"berth/runtime/capture/cloudwatch"
	"berth/starlib/args"
)

// cloudwatchServer starts a CloudWatch Logs stand-in on loopback for the
// case; awslogs-endpoint takes its endpoint.
func cloudwatchServer(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	if err := args.Unpack(fn.Name(), a, kw); err != nil {
		return nil, err
	}
	return startFor(th, fn, startCloudWatch)
}

func startCloudWatch() (*receiver, func() error, error) {
	srv, err := cloudwatch.Listen("127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	return &receiver{kind: "cloudwatch", addrName: "endpoint", addr: srv.Endpoint(),
		dropped: srv.Overflow,
		wait: func(ctx context.Context, n int) ([]starlark.Value, error) {
			events, err := srv.Wait(ctx, n)
			if err != nil {
				return nil, err
			}
			if err := srv.Err(); err != nil {
				return nil, fmt.Errorf("the service would have refused a request: %w", err)
			}
			out := make([]starlark.Value, len(events))
			for i, e := range events {
				v, err := args.ToStarlark(map[string]any{
					"group": e.Group, "stream": e.Stream, "timestamp": e.Timestamp, "message": e.Message,
				})
				if err != nil {
					return nil, err
				}
				out[i] = v
			}
			return out, nil
		}}, srv.Close, nil
}
