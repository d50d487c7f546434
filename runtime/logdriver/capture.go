package logdriver

import (
	"sync"

	"berth/runtime/capped"
)

// Capture keeps the raw output of a foreground run in memory: stdout and
// stderr interleaved in the order the copiers read them, and each alone,
// newlines included. Each of the three keeps at most limit (its first and
// last bytes, with a marker saying what was cut and ending with note): a
// container can print without end, and the log has all of it anyway. It
// is safe for concurrent use.
type Capture struct {
	mu                     sync.Mutex
	output, stdout, stderr *capped.Buffer
}

// NewCapture returns an empty capture.
func NewCapture(limit capped.Limit, note string) *Capture {
	return &Capture{output: capped.New(limit, note), stdout: capped.New(limit, note), stderr: capped.New(limit, note)}
}

// Sink returns the sink that records messages into the capture.
func (c *Capture) Sink() Sink { return c.add }

func (c *Capture) add(m *Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := appendRaw(c.output, m); err != nil {
		return err
	}
	switch m.Stream {
	case "stdout":
		return appendRaw(c.stdout, m)
	case "stderr":
		return appendRaw(c.stderr, m)
	}
	return nil
}

// appendRaw writes the bytes the process wrote for m.
func appendRaw(dst *capped.Buffer, m *Message) error {
	if _, err := dst.Write(m.Line); err != nil {
		return err
	}
	if m.EndsLine() {
		_, err := dst.WriteString("\n")
		return err
	}
	return nil
}

// Seal ends the capture once the copiers are done: the texts are then
// built in place, without a copy, and Output, Stdout and Stderr return
// them. A message after Seal is refused.
func (c *Capture) Seal() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.output.Seal()
	c.stdout.Seal()
	c.stderr.Seal()
}

// Output is stdout and stderr interleaved.
func (c *Capture) Output() string { return c.text(c.output) }

// Stdout is what was written to stdout.
func (c *Capture) Stdout() string { return c.text(c.stdout) }

// Stderr is what was written to stderr.
func (c *Capture) Stderr() string { return c.text(c.stderr) }

func (c *Capture) text(b *capped.Buffer) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return b.String()
}

// Dropped is how many bytes of the interleaved output, of stdout and of
// stderr were left out.
func (c *Capture) Dropped() (output, stdout, stderr int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.output.Dropped(), c.stdout.Dropped(), c.stderr.Dropped()
}
