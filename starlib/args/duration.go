package args

import (
	"fmt"
	"math"
	"time"

	starlarktime "go.starlark.net/lib/time"
	"go.starlark.net/starlark"

	"berth/runtime/units"
)

// Duration is an Unpacker for a non-negative duration argument. It accepts a
// duration string ("100ms", "2s", as units.ParseDuration reads them), an int
// or float number of seconds, or a time.duration from the time module.
//
// Preset the variable with the default before unpacking:
//
//	timeout := args.Duration(10 * time.Second)
//	args.Unpack(b.Name(), a, kw, "timeout??", &timeout)
//
// Use the "??" suffix where None means "the default".
type Duration time.Duration

var _ starlark.Unpacker = (*Duration)(nil)

// Std returns d as a time.Duration.
func (d Duration) Std() time.Duration { return time.Duration(d) }

// Unpack implements starlark.Unpacker.
func (d *Duration) Unpack(v starlark.Value) error {
	var dur time.Duration
	switch v := v.(type) {
	case starlark.String:
		parsed, err := units.ParseDuration(string(v))
		if err != nil {
			return err
		}
		dur = parsed
	case starlark.Int:
		secs, ok := v.Int64()
		if !ok || secs > math.MaxInt64/int64(time.Second) || secs < math.MinInt64/int64(time.Second) {
			return fmt.Errorf("got %s seconds, want at most %d", v, math.MaxInt64/int64(time.Second))
		}
		dur = time.Duration(secs) * time.Second
	case starlark.Float:
		f := float64(v) * float64(time.Second)
		if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) >= math.MaxInt64 {
			return fmt.Errorf("got %s seconds, want a finite number of at most %d", v, math.MaxInt64/int64(time.Second))
		}
		dur = time.Duration(f)
	case starlarktime.Duration:
		dur = time.Duration(v)
	default:
		return fmt.Errorf("got %s, want duration string or number", v.Type())
	}
	if dur < 0 {
		return fmt.Errorf("got %s, want a duration of 0 or more", v)
	}
	*d = Duration(dur)
	return nil
}
