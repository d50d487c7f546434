package capture

import (
	"context"
	"fmt"
	"time"

	rcapture "berth/runtime/capture"
	"berth/runtime/capture/cloudwatch"
)

// cloudwatchSource is the CloudWatch Logs stand-in on loopback as a
// Source: its address is the endpoint awslogs-endpoint takes; records
// {"group", "stream", "timestamp" (ms), "message"}.
type cloudwatchSource struct{ *cloudwatch.Server }

func startCloudWatch() (Source, error) {
	srv, err := cloudwatch.Listen("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return cloudwatchSource{srv}, nil
}

func (s cloudwatchSource) Kind() string    { return "cloudwatch" }
func (s cloudwatchSource) Address() string { return s.Endpoint() }
func (s cloudwatchSource) Dropped() int64  { return s.Overflow() }

func (s cloudwatchSource) Messages(ctx context.Context, count int, timeout time.Duration) ([]rcapture.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	events, err := s.Wait(ctx, max(count, 0))
	if err != nil {
		return nil, err
	}
	if err := s.Err(); err != nil {
		return nil, fmt.Errorf("the service would have refused a request: %w", err)
	}
	recs := make([]rcapture.Record, len(events))
	for i, e := range events {
		recs[i] = rcapture.Record{"group": e.Group, "stream": e.Stream, "timestamp": e.Timestamp, "message": e.Message}
	}
	return recs, nil
}
