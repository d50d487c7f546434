package image

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"berth/runtime/store"
)

// damagedTagsError is a tag table that cannot be decoded.
type damagedTagsError struct {
	path string
	err  error
}

func (e *damagedTagsError) Error() string {
	return fmt.Sprintf("image tags file %s is damaged (%v): the next berth command moves it aside and starts a new one", e.path, e.err)
}

func (e *damagedTagsError) Unwrap() error { return e.err }

func (s *Store) readRepos() (map[string]string, error) {
	path := filepath.Join(s.dir, reposFile)
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read image tags: %w", err)
	}
	var repos map[string]string
	if err := json.Unmarshal(data, &repos); err != nil {
		return nil, &damagedTagsError{path: path, err: err}
	}
	for tag, id := range repos {
		if hex, ok := fullID(id); !ok || id != "sha256:"+hex {
			return nil, &damagedTagsError{path: path, err: fmt.Errorf("tag %q names %q, not an image ID", tag, id)}
		}
	}
	if repos == nil { // the file held null
		repos = map[string]string{}
	}
	return repos, nil
}

// repairRepos moves a tag table that cannot be decoded aside, so that the
// store works again: with no table, every image is untagged (and busybox
// is tagged again when first used). It returns what it did, for the user
// to hear of it, or "" when the table was sound.
func (s *Store) repairRepos() (string, error) {
	if _, err := s.readRepos(); !errors.As(err, new(*damagedTagsError)) {
		return "", nil
	}
	lock, err := store.LockFile(filepath.Join(s.dir, lockFile))
	if err != nil {
		return "", fmt.Errorf("lock image store: %w", err)
	}
	defer lock.Unlock()
	_, err = s.readRepos()
	var damaged *damagedTagsError
	if !errors.As(err, &damaged) {
		return "", nil // another process repaired it meanwhile
	}
	aside := damaged.path + ".damaged-" + strconv.FormatInt(time.Now().Unix(), 10)
	if err := os.Rename(damaged.path, aside); err != nil {
		return "", fmt.Errorf("move damaged image tags aside: %w", err)
	}
	return fmt.Sprintf("image tags file %s was damaged (%v): moved it to %s; the images are kept, untagged (berth image ls shows their IDs, berth image tag ID NAME names one again)",
		damaged.path, damaged.err, aside), nil
}

// Repaired says what Open did to a damaged tag table, "" if nothing.
func (s *Store) Repaired() string { return s.repaired }
