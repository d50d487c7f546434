package capture

import (
	"context"
	"fmt"
	"time"

	"go.starlark.net/starlark"

	"berth/starlib/args"
)

// receiver is what capture.fluentd() and capture.cloudwatch() return: an
// address attribute and messages(count=None, timeout="5s").
type receiver struct {
	kind     string // "fluentd", "cloudwatch"
	addrName string // "address" or "endpoint"
	addr     string
	// wait returns the messages once at least n arrived (n 0: at once),
	// as Starlark dicts, or an error saying how many came.
	wait func(ctx context.Context, n int) ([]starlark.Value, error)
	// dropped is how many messages the server did not keep.
	dropped func() int64
}

func (r *receiver) String() string        { return fmt.Sprintf("<capture.%s %s>", r.kind, r.addr) }
func (r *receiver) Type() string          { return "capture." + r.kind }
func (r *receiver) Freeze()               {}
func (r *receiver) Truth() starlark.Bool  { return true }
func (r *receiver) Hash() (uint32, error) { return starlark.String(r.addr).Hash() }
func (r *receiver) AttrNames() []string   { return []string{r.addrName, "dropped", "messages"} }

func (r *receiver) Attr(name string) (starlark.Value, error) {
	switch name {
	case r.addrName:
		return starlark.String(r.addr), nil
	case "dropped":
		if r.dropped == nil {
			return starlark.MakeInt(0), nil
		}
		return starlark.MakeInt64(r.dropped()), nil
	case "messages":
		return starlark.NewBuiltin("messages", r.messages).BindReceiver(r), nil
	}
	return nil, nil
}

// messages returns what arrived, in arrival order: all of it at once
// without count; with count, once at least count messages arrived, or an
// error when timeout passes first.
func (r *receiver) messages(th *starlark.Thread, fn *starlark.Builtin, a starlark.Tuple, kw []starlark.Tuple) (starlark.Value, error) {
	var count starlark.Value = starlark.None
	timeout := args.Duration(5 * time.Second)
	if err := args.Unpack(fn.Name(), a, kw, "count?", &count, "timeout?", &timeout); err != nil {
		return nil, err
	}
	n := 0
	if count != starlark.None {
		c, ok := count.(starlark.Int)
		v, exact := c.Int64()
		if !ok || !exact || v < 0 {
			return nil, fmt.Errorf("%s: count: got %s, want None or a non-negative int", fn.Name(), count)
		}
		n = int(v)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout.Std())
	defer cancel()
	msgs, err := r.wait(ctx, n)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", fn.Name(), err)
	}
	return starlark.NewList(msgs), nil
}
