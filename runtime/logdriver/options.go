package logdriver

import (
	"fmt"
	"strconv"

	"berth/runtime/units"
)

// commonOptions are accepted by every driver (Docker's "mode" options).
func commonOptions() []string { return []string{"mode", "max-buffer-size"} }

// checkCommonOptions checks mode and max-buffer-size.
func checkCommonOptions(opts map[string]string) error {
	_, _, err := nonBlockingSettings(opts)
	return err
}

// nonBlockingSettings reads mode (blocking by default) and
// max-buffer-size, which only non-blocking mode takes. The size is read
// as Docker reads it (go-units RAMInBytes: "4m" is 4 MiB).
func nonBlockingSettings(opts map[string]string) (nonBlocking bool, maxBytes int64, err error) {
	switch mode, set := opts["mode"]; {
	case !set || mode == "blocking" || mode == "":
	case mode == "non-blocking":
		nonBlocking = true
	default:
		return false, 0, fmt.Errorf("invalid log opt mode '%s': want blocking or non-blocking", mode)
	}
	v, set := opts["max-buffer-size"]
	if !set {
		return nonBlocking, DefaultMaxBufferSize, nil
	}
	if !nonBlocking {
		// Docker's text, with the value.
		return false, 0, fmt.Errorf("max-buffer-size option is only supported with 'mode=non-blocking': got max-buffer-size '%s'", v)
	}
	maxBytes, err = units.ParseSize(v)
	if err != nil {
		return false, 0, fmt.Errorf("error parsing option max-buffer-size: %w", err)
	}
	if maxBytes <= 0 {
		return false, 0, fmt.Errorf("error parsing option max-buffer-size: '%s': want a positive size such as \"4m\"", v)
	}
	return true, maxBytes, nil
}

// rotation is how a json-file log is rotated.
type rotation struct {
	maxSize  int64 // 0: never
	maxFiles int
	compress bool // gzip rotated files
}

// rotationKeys name the options of one rotating json-file log.
type rotationKeys struct{ maxSize, maxFile, compress string }

// parseRotation reads max-size, max-file and compress style options.
// Sizes use decimal units (1k = 1000 bytes) because Docker reads them with
// go-units' FromHumanSize, for json-file as for its local cache.
func parseRotation(opts map[string]string, keys rotationKeys, def rotation) (rotation, error) {
	rot := def
	if v, ok := opts[keys.maxSize]; ok {
		n, err := units.ParseDecimalSize(v)
		if err != nil {
			// Docker's "invalid size: 'abc'" names the value, not the option.
			return rot, fmt.Errorf("log opt %s: %w: want a positive size such as \"10m\" (k, m, g are powers of 1000)", keys.maxSize, err)
		}
		if n <= 0 {
			return rot, fmt.Errorf("%s must be a positive number, got '%s'", keys.maxSize, v)
		}
		rot.maxSize = n
	}
	if v, ok := opts[keys.maxFile]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return rot, fmt.Errorf("invalid %s '%s': want a whole number of at least 1", keys.maxFile, v)
		}
		if n < 1 {
			return rot, fmt.Errorf("%s cannot be less than 1, got '%s'", keys.maxFile, v)
		}
		rot.maxFiles = n
	}
	if v, ok := opts[keys.compress]; ok {
		compress, err := strconv.ParseBool(v)
		if err != nil {
			return rot, fmt.Errorf("invalid %s '%s': want true or false", keys.compress, v)
		}
		rot.compress = compress
	}
	return rot, nil
}

// localCopyOptions configure the json-file copy kept beside drivers that
// cannot read back (Docker's cache-* options of dual logging).
func localCopyOptions() []string {
	return []string{"cache-disabled", "cache-max-size", "cache-max-file", "cache-compress"}
}

// Docker's defaults for its local cache: 20 MiB, 5 files.
const (
	localCopyMaxSize  = 20 << 20
	localCopyMaxFiles = 5
)

// localCopySettings tells whether a local copy is kept, and how it
// rotates.
func localCopySettings(opts map[string]string) (enabled bool, rot rotation, err error) {
	enabled = true
	if v, ok := opts["cache-disabled"]; ok {
		disabled, err := strconv.ParseBool(v)
		if err != nil {
			return false, rot, fmt.Errorf("invalid value for option cache-disabled: '%s': want true or false", v)
		}
		enabled = !disabled
	}
	rot, err = parseRotation(opts, rotationKeys{"cache-max-size", "cache-max-file", "cache-compress"},
		rotation{maxSize: localCopyMaxSize, maxFiles: localCopyMaxFiles})
	return enabled, rot, err
}
