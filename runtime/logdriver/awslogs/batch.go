package awslogs

import (
	"cmp"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
)

// CloudWatch Logs' PutLogEvents limits, as Docker counts them.
const (
	// perEventBytes is what the service adds to each event's size.
	perEventBytes = 26
	maxBatchBytes = 1_048_576
	maxBatchCount = 10_000
	// maxEventBytes is an event's limit (256 KiB with its overhead),
	// counting each invalid UTF-8 byte as the 3-byte U+FFFD the service
	// replaces it with.
	maxEventBytes = 262_144 - perEventBytes
	// maxBatchSpan: the events of one request span at most 24 hours.
	maxBatchSpan = int64(24 * time.Hour / time.Millisecond)
)

// event is one CloudWatch event and what it stands for in the container's
// output, so a batch that cannot be sent is counted exactly.
type event struct {
	message   string
	timestamp int64 // ms since the epoch
	order     int   // arrival order, for a stable sort
	messages  int64 // log messages it completes (a split event's last piece carries them)
	rawBytes  int64 // bytes of output it carries
}

// batch is one PutLogEvents request being filled.
type batch struct {
	events   []event
	bytes    int
	min, max int64
}

// add puts e, of effective size size, in the batch unless that would break
// a limit; an empty batch takes any event.
func (b *batch) add(e event, size int) bool {
	lo, hi := e.timestamp, e.timestamp
	if len(b.events) > 0 {
		lo, hi = min(b.min, lo), max(b.max, hi)
	}
	switch {
	case len(b.events) >= maxBatchCount,
		b.bytes+size+perEventBytes > maxBatchBytes,
		hi-lo > maxBatchSpan:
		return false
	}
	b.events = append(b.events, e)
	b.bytes += size + perEventBytes
	b.min, b.max = lo, hi
	return true
}

func (b *batch) empty() bool { return len(b.events) == 0 }

func (b *batch) reset() {
	clear(b.events)
	b.events, b.bytes, b.min, b.max = b.events[:0], 0, 0, 0
}

// input returns the events sorted by timestamp, arrival order breaking
// ties, as the service requires.
func (b *batch) input() []types.InputLogEvent {
	slices.SortFunc(b.events, func(x, y event) int {
		return cmp.Or(cmp.Compare(x.timestamp, y.timestamp), cmp.Compare(x.order, y.order))
	})
	out := make([]types.InputLogEvent, len(b.events))
	for i := range b.events {
		out[i] = types.InputLogEvent{Message: &b.events[i].message, Timestamp: &b.events[i].timestamp}
	}
	return out
}

// lost is what the batch stands for: messages and bytes.
func (b *batch) lost() (messages, bytes int64) {
	for _, e := range b.events {
		messages += e.messages
		bytes += e.rawBytes
	}
	return messages, bytes
}

// splitPoint is where to cut s so the first part's effective size (invalid
// UTF-8 bytes counted as 3) stays within limit, never inside a character;
// it returns the cut and that size.
func splitPoint(s []byte, limit int) (cut, size int) {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRune(s[i:])
		w := utf8.RuneLen(r) // 3 for an invalid byte (RuneError)
		if size+w > limit {
			return i, size
		}
		size += w
		i += n
	}
	return len(s), size
}

// effectiveSize is s's size once the service replaced invalid UTF-8.
func effectiveSize(s []byte) int {
	_, n := splitPoint(s, int(^uint(0)>>1))
	return n
}
