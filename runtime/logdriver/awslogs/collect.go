package awslogs

import "time"

// collector turns messages into events and events into batches. With a
// multiline pattern, a line matching it starts a new event and the lines
// after it join that event (newline-separated) until the next match, the
// event reaches its size limit, or it has waited a flush interval; without
// one, each message is an event.
type collector struct {
	cfg  config
	send func(*batch)

	b     batch
	order int

	// The multiline event being gathered.
	pending      []byte
	pendingTime  int64     // its timestamp: its first line's
	pendingSince time.Time // when its first line came
	pendingMsgs  int64
	pendingRaw   int64
}

func (c *collector) add(q queued) {
	raw := int64(len(q.line))
	if q.ends {
		raw++
	}
	ts := q.time.UnixMilli()
	if c.cfg.multiline == nil {
		c.event(q.line, ts, 1, raw)
		return
	}
	size := effectiveSize(q.line)
	if c.pendingMsgs > 0 && (c.cfg.multiline.Match(q.line) || effectiveSize(c.pending)+size > maxEventBytes) {
		c.flushPending()
	}
	if c.pendingMsgs == 0 {
		c.pendingTime, c.pendingSince = ts, q.time
	}
	c.pending = append(c.pending, q.line...)
	if size < maxEventBytes {
		c.pending = append(c.pending, '\n')
	}
	c.pendingMsgs++
	c.pendingRaw += raw
}

// tick sends the batch, and a multiline event that waited a whole interval.
func (c *collector) tick(now time.Time) {
	if c.pendingMsgs > 0 && now.Sub(c.pendingSince) >= c.cfg.flushInterval {
		c.flushPending()
	}
	c.publish()
}

// finish sends everything.
func (c *collector) finish() {
	c.flushPending()
	c.publish()
}

func (c *collector) flushPending() {
	if c.pendingMsgs == 0 {
		return
	}
	c.event(c.pending, c.pendingTime, c.pendingMsgs, c.pendingRaw)
	c.pending, c.pendingMsgs, c.pendingRaw = c.pending[:0], 0, 0
}

// event adds text as one event, split into pieces of at most maxEventBytes
// (never inside a UTF-8 character); the batch is sent whenever the next
// piece does not fit. The last piece carries the messages and bytes. An
// empty line makes no event: the service refuses empty messages (Docker
// skips them too).
func (c *collector) event(text []byte, ts, msgs, raw int64) {
	for len(text) > 0 {
		cut, size := splitPoint(text, maxEventBytes)
		e := event{message: string(text[:cut]), timestamp: ts, order: c.order}
		if cut == len(text) {
			e.messages, e.rawBytes = msgs, raw
		}
		if !c.b.add(e, size) {
			c.publish()
			c.b.add(e, size)
		}
		c.order++
		text = text[cut:]
	}
}

func (c *collector) publish() {
	c.send(&c.b)
	c.b.reset()
}
