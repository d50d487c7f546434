package fsroot

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// MaxReadFile is the most read_file (a container's or the host module's)
// returns: a file a container made must not take berth's memory.
const MaxReadFile = 64 << 20

// TooLargeError refuses a file of more than Limit bytes.
type TooLargeError struct {
	Size  int64 // -1 if the file grew past Limit while being read
	Limit int64
}

func (e *TooLargeError) Error() string {
	size := "more than " + fmt.Sprint(e.Limit) + " bytes"
	if e.Size >= 0 {
		size = fmt.Sprint(e.Size) + " bytes"
	}
	return fmt.Sprintf("the file has %s, more than the limit of %d (%s)", size, e.Limit, humanSize(e.Limit))
}

func humanSize(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return fmt.Sprintf("%d MiB", n>>20)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ReadRegular reads the file that the handle h (O_PATH is enough) refers
// to. Only a regular file is opened for reading: a device, a FIFO or a
// socket is refused with a *NotRegularError without being opened, so
// reading never blocks on a FIFO nor touches a device. A file of more than
// limit bytes, by its size or by what could be read, is a *TooLargeError.
func ReadRegular(h *os.File, limit int64) ([]byte, error) {
	f, err := reopenRegular(h, unix.O_RDONLY)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &st); err != nil {
		return nil, err
	}
	if st.Size > limit {
		return nil, &TooLargeError{Size: st.Size, Limit: limit}
	}
	data, err := readAtMost(f, st.Size, limit)
	if err != nil {
		return nil, rootCause(err)
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Size: -1, Limit: limit}
	}
	return data, nil
}

// readAtMost reads r to its end, or up to limit+1 bytes. The buffer starts
// at the expected size plus one byte, room to see the end without growing;
// files in /proc report size 0 and grow it as they are read.
func readAtMost(r io.Reader, size, limit int64) ([]byte, error) {
	data := make([]byte, 0, min(size, limit)+1)
	r = io.LimitReader(r, limit+1)
	for {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
	}
}
