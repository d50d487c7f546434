package image

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote"

	"berth/runtime/backend"
)

// authOption picks the credentials of a pull or push: the ones given,
// else those of ~/.docker/config.json (as docker login wrote them, with
// its credential helpers). Offline, only the file's own "auths" are
// read: a credential helper may contact anything.
func (s *Store) authOption(a backend.Auth) (remote.Option, error) {
	if (a.Username == "") != (a.Password == "") {
		return nil, errors.New("credentials: username and password go together: give both or neither")
	}
	if a.Username != "" {
		return remote.WithAuth(&authn.Basic{Username: a.Username, Password: a.Password}), nil
	}
	if s.offline {
		return remote.WithAuthFromKeychain(configFileKeychain{}), nil
	}
	return remote.WithAuthFromKeychain(authn.DefaultKeychain), nil
}

// configFileKeychain reads the "auths" of the Docker client's config file
// ($DOCKER_CONFIG/config.json, else ~/.docker/config.json) and nothing else.
type configFileKeychain struct{}

type dockerConfig struct {
	Auths map[string]struct {
		Auth          string `json:"auth"`
		Username      string `json:"username"`
		Password      string `json:"password"`
		IdentityToken string `json:"identitytoken"`
	} `json:"auths"`
}

func (configFileKeychain) Resolve(target authn.Resource) (authn.Authenticator, error) {
	dir := os.Getenv("DOCKER_CONFIG")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return authn.Anonymous, nil
		}
		dir = filepath.Join(home, ".docker")
	}
	path := filepath.Join(dir, "config.json")
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return authn.Anonymous, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	var cf dockerConfig
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for key, e := range cf.Auths {
		if configKeyHost(key) != target.RegistryStr() {
			continue
		}
		c := authn.AuthConfig{Username: e.Username, Password: e.Password, IdentityToken: e.IdentityToken}
		if e.Auth != "" {
			raw, err := base64.StdEncoding.DecodeString(e.Auth)
			user, pass, ok := strings.Cut(string(raw), ":")
			if err != nil || !ok {
				return nil, fmt.Errorf("read %s: auths[%q].auth: want base64 of user:password", path, key)
			}
			c.Username, c.Password = user, pass
		}
		return authn.FromConfig(c), nil
	}
	return authn.Anonymous, nil
}

// configKeyHost is the registry of a config.json auths key, written as
// "host:port", "https://host/v1/" or similar.
func configKeyHost(key string) string {
	key = strings.TrimPrefix(strings.TrimPrefix(key, "https://"), "http://")
	host, _, _ := strings.Cut(key, "/")
	return host
}
