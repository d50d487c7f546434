package image

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"runtime"
	"sort"
	"time"
)

// DefaultPath is the PATH Docker gives a container whose image sets none.
const DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// Config is the part of an image config that decides how containers run.
type Config struct {
	Env          []string
	Cmd          []string
	Entrypoint   []string
	WorkingDir   string
	User         string
	ExposedPorts []string // "80/tcp", sorted
	Labels       map[string]string
	Volumes      []string // sorted
	StopSignal   string
	Healthcheck  *Healthcheck
}

// Healthcheck is the config's HEALTHCHECK (durations in nanoseconds).
type Healthcheck struct {
	Test          []string      `json:",omitempty"`
	Interval      time.Duration `json:",omitempty"`
	Timeout       time.Duration `json:",omitempty"`
	StartPeriod   time.Duration `json:",omitempty"`
	StartInterval time.Duration `json:",omitempty"`
	Retries       int           `json:",omitempty"`
}

// Image is one image in the store.
type Image struct {
	ID       string   // "sha256:<64 hex>" of the image's config JSON (Docker style)
	RepoTags []string // "busybox:latest", sorted
	Created  time.Time
	Config   Config
	Size     int64
	RootDir  string   // the flattened root filesystem of an image from an older berth (no Layers)
	Layers   []string // its layers in the layer store, bottom first (overlay lowerdirs)

	architecture string
	os           string
}

// OS and Architecture are the platform the image was built for.
func (img *Image) OS() string           { return img.os }
func (img *Image) Architecture() string { return img.architecture }

// configFile is the image config JSON of the Docker image spec and the OCI
// image spec (they agree on these fields).
type configFile struct {
	Architecture string          `json:"architecture"`
	OS           string          `json:"os"`
	Created      time.Time       `json:"created"`
	Config       containerConfig `json:"config"`
	RootFS       rootFS          `json:"rootfs"`
	History      []history       `json:"history,omitempty"`
}

type containerConfig struct {
	Env          []string            `json:"Env,omitempty"`
	Cmd          []string            `json:"Cmd,omitempty"`
	Entrypoint   []string            `json:"Entrypoint,omitempty"`
	WorkingDir   string              `json:"WorkingDir,omitempty"`
	User         string              `json:"User,omitempty"`
	ExposedPorts map[string]struct{} `json:"ExposedPorts,omitempty"`
	Labels       map[string]string   `json:"Labels,omitempty"`
	Volumes      map[string]struct{} `json:"Volumes,omitempty"`
	StopSignal   string              `json:"StopSignal,omitempty"`
	Healthcheck  *Healthcheck        `json:"Healthcheck,omitempty"`
}

type rootFS struct {
	Type    string   `json:"type"`
	DiffIDs []string `json:"diff_ids"`
}

type history struct {
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
	Comment   string    `json:"comment,omitempty"`
}

// newConfigFile is the config of an image berth makes itself (busybox,
// imports): one layer, Docker's default PATH, the host's architecture.
func newConfigFile(created time.Time, cmd []string, comment string) configFile {
	return configFile{
		Architecture: runtime.GOARCH,
		OS:           "linux",
		Created:      created.UTC(),
		Config:       containerConfig{Env: []string{DefaultPath}, Cmd: cmd},
		RootFS:       rootFS{Type: "layers", DiffIDs: []string{}},
		History:      []history{{Created: created.UTC(), Comment: comment}},
	}
}

// encodeConfig returns the JSON and the image ID it gives.
func encodeConfig(cf configFile) (data []byte, id string, err error) {
	data, err = json.Marshal(cf)
	if err != nil {
		return nil, "", fmt.Errorf("encode image config: %w", err)
	}
	return data, configID(data), nil
}

func configID(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// parseConfig reads an image config JSON into the fields berth uses.
func parseConfig(data []byte) (configFile, error) {
	var cf configFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return cf, fmt.Errorf("parse image config: %w", err)
	}
	return cf, nil
}

func (cf configFile) runConfig() Config {
	c := cf.Config
	return Config{
		Env:          c.Env,
		Cmd:          c.Cmd,
		Entrypoint:   c.Entrypoint,
		WorkingDir:   c.WorkingDir,
		User:         c.User,
		ExposedPorts: sortedKeys(c.ExposedPorts),
		Labels:       c.Labels,
		Volumes:      sortedKeys(c.Volumes),
		StopSignal:   c.StopSignal,
		Healthcheck:  c.Healthcheck,
	}
}

func sortedKeys(m map[string]struct{}) []string {
	if len(m) == 0 {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
