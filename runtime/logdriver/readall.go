package logdriver

import (
	"context"
	"strings"
)

// ReadAll reads what cfg selects from r and returns it as docker logs
// prints it (see Format). The text is collected in blocks that are never
// copied while they fill, then copied once into a string of exactly its
// size: reading N bytes of logs holds at most about 2N at the peak, and
// makes no garbage per message. On an error it returns what was read
// before it.
func ReadAll(ctx context.Context, r Reader, cfg ReadConfig, timestamps bool) (string, error) {
	var t blockText
	err := r.ReadLogs(ctx, cfg, func(m Message) error {
		t.add(m, timestamps)
		return nil
	})
	return t.String(), err
}

// Blocks start small (most reads are a few lines) and double up to
// maxBlock.
const (
	firstBlock = 4 << 10
	maxBlock   = 1 << 20
)

// blockText is text kept in blocks.
type blockText struct {
	blocks [][]byte
	size   int
}

func (t *blockText) add(m Message, timestamps bool) {
	need := FormattedSize(m, timestamps)
	last := len(t.blocks) - 1
	if last < 0 || cap(t.blocks[last])-len(t.blocks[last]) < need {
		size := firstBlock
		if last >= 0 {
			size = min(2*cap(t.blocks[last]), maxBlock)
		}
		t.blocks = append(t.blocks, make([]byte, 0, max(size, need)))
		last++
	}
	before := len(t.blocks[last])
	t.blocks[last] = AppendFormat(t.blocks[last], m, timestamps)
	t.size += len(t.blocks[last]) - before
}

// String copies the blocks into one string of exactly the text's size,
// letting go of each block once copied.
func (t *blockText) String() string {
	var b strings.Builder
	b.Grow(t.size)
	for i, block := range t.blocks {
		b.Write(block)
		t.blocks[i] = nil
	}
	t.blocks = nil
	return b.String()
}
