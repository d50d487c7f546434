package logdriver

import "sync"

// Capture keeps the raw output of a foreground run in memory: stdout and
// stderr interleaved in the order the copiers read them, and each alone,
// newlines included. It is safe for concurrent use.
type Capture struct {
	mu                     sync.Mutex
	output, stdout, stderr []byte
}

// NewCapture returns an empty capture.
func NewCapture() *Capture { return &Capture{} }

// Sink returns the sink that records messages into the capture.
func (c *Capture) Sink() Sink { return c.add }

func (c *Capture) add(m *Message) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.output = appendRaw(c.output, m)
	switch m.Stream {
	case "stdout":
		c.stdout = appendRaw(c.stdout, m)
	case "stderr":
		c.stderr = appendRaw(c.stderr, m)
	}
	return nil
}

// appendRaw appends the bytes the process wrote for m.
func appendRaw(dst []byte, m *Message) []byte {
	dst = append(dst, m.Line...)
	if m.EndsLine() {
		dst = append(dst, '\n')
	}
	return dst
}

// Output is stdout and stderr interleaved.
func (c *Capture) Output() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.output)
}

// Stdout is what was written to stdout.
func (c *Capture) Stdout() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.stdout)
}

// Stderr is what was written to stderr.
func (c *Capture) Stderr() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return string(c.stderr)
}
