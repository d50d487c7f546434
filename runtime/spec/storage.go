package spec

import (
	"sort"
	"strings"

	"berth/runtime/units"
)

// The range of storage_opt size: below 1 MiB the file system's own
// metadata is most of the layer, above 1 TiB formatting it stops being
// cheap (runtime/sizedfs).
const (
	MinStorageSize int64 = 1 << 20
	MaxStorageSize int64 = 1 << 40
)

// StorageSize is the writable layer's limit in bytes from StorageOpt
// ("size"), or 0 for none. Keys are matched in any case, as Docker does.
func (c *Container) StorageSize() (int64, error) {
	keys := make([]string, 0, len(c.StorageOpt))
	for k := range c.StorageOpt {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var size int64
	for _, k := range keys {
		v := c.StorageOpt[k]
		if strings.ToLower(k) != "size" {
			return 0, invalidf("Unknown option %s: storage_opt takes only \"size\", such as {\"size\": \"64m\"}", k)
		}
		n, err := units.ParseSize(v)
		if err != nil {
			return 0, invalidf("storage_opt size %q: %v: want a size from 1m to 1t, such as \"64m\"", v, err)
		}
		if n < MinStorageSize || n > MaxStorageSize {
			return 0, invalidf("storage_opt size %q (%d bytes): want from 1m (%d bytes) to 1t (%d bytes)", v, n, MinStorageSize, MaxStorageSize)
		}
		size = n
	}
	return size, nil
}

func (c *Container) checkStorageOpt() error {
	_, err := c.StorageSize()
	return err
}
