package capture

import (
	"context"
	"time"

	rcapture "berth/runtime/capture"
	fluentcap "berth/runtime/capture/fluentd"
)

// fluentdSource is a Forward-protocol receiver on loopback as a Source:
// records {"tag", "time" (float seconds), "record"}.
type fluentdSource struct{ *fluentcap.Server }

func startFluentd() (Source, error) {
	srv, err := fluentcap.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	return fluentdSource{srv}, nil
}

func (s fluentdSource) Kind() string   { return "fluentd" }
func (s fluentdSource) Dropped() int64 { return s.Overflow() }

func (s fluentdSource) Messages(ctx context.Context, count int, timeout time.Duration) ([]rcapture.Record, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	events, err := s.Wait(ctx, max(count, 0))
	if err != nil {
		return nil, err
	}
	if err := s.Err(); err != nil {
		return nil, err
	}
	recs := make([]rcapture.Record, len(events))
	for i, e := range events {
		recs[i] = rcapture.Record{"tag": e.Tag, "time": float64(e.Time.UnixNano()) / float64(time.Second), "record": e.Record}
	}
	return recs, nil
}
