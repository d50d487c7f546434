package backend

import (
	"berth/runtime/spec"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// ApplyChanges applies docker commit's --change instructions to an image
// config, as Docker reads them: CMD, ENTRYPOINT and VOLUME in JSON or
// shell form, ENV and LABEL as KEY=VALUE (or "KEY VALUE" for ENV),
// EXPOSE, USER and WORKDIR. Other instructions fail with Docker's text.
func ApplyChanges(cfg ImageConfig, changes []string) (ImageConfig, error) {
	cfg = cloneConfig(cfg)
	for _, change := range changes {
		word, rest, _ := strings.Cut(strings.TrimSpace(change), " ")
		rest = strings.TrimSpace(rest)
		if err := applyChange(&cfg, strings.ToUpper(word), rest); err != nil {
			return ImageConfig{}, fmt.Errorf("change %q: %w", change, err)
		}
	}
	return cfg, nil
}

func applyChange(cfg *ImageConfig, word, rest string) error {
	if rest == "" && word != "" {
		return errorf(ErrInvalid, "%s requires at least one argument", word)
	}
	switch word {
	case "CMD":
		cfg.Cmd = commandForm(rest)
	case "ENTRYPOINT":
		cfg.Entrypoint = commandForm(rest)
	case "ENV":
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			k, v, _ = strings.Cut(rest, " ")
		}
		cfg.Env = spec.MergeEnv(cfg.Env, []string{strings.TrimSpace(k) + "=" + strings.TrimSpace(v)})
	case "LABEL":
		k, v, ok := strings.Cut(rest, "=")
		if !ok {
			return errorf(ErrInvalid, "LABEL must have two arguments: want KEY=VALUE, got %q", rest)
		}
		if cfg.Labels == nil {
			cfg.Labels = map[string]string{}
		}
		cfg.Labels[k] = strings.Trim(v, `"`)
	case "EXPOSE":
		for _, p := range strings.Fields(rest) {
			if !strings.Contains(p, "/") {
				p += "/tcp"
			}
			cfg.ExposedPorts = addSorted(cfg.ExposedPorts, p)
		}
	case "VOLUME":
		for _, v := range listForm(rest) {
			cfg.Volumes = addSorted(cfg.Volumes, v)
		}
	case "USER":
		cfg.User = rest
	case "WORKDIR":
		cfg.WorkingDir = rest
	default:
		return errorf(ErrInvalid, "%s is not a valid change command", word)
	}
	return nil
}

// commandForm reads CMD and ENTRYPOINT: a JSON list is the exec form,
// anything else the shell form, run by /bin/sh -c.
func commandForm(s string) []string {
	var list []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return list
	}
	return []string{"/bin/sh", "-c", s}
}

// listForm reads VOLUME: a JSON list or words.
func listForm(s string) []string {
	var list []string
	if strings.HasPrefix(s, "[") && json.Unmarshal([]byte(s), &list) == nil {
		return list
	}
	return strings.Fields(s)
}

func addSorted(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	list = append(list, s)
	slices.Sort(list)
	return list
}

func cloneConfig(c ImageConfig) ImageConfig {
	c.Env = slices.Clone(c.Env)
	c.Cmd = slices.Clone(c.Cmd)
	c.Entrypoint = slices.Clone(c.Entrypoint)
	c.ExposedPorts = slices.Clone(c.ExposedPorts)
	c.Volumes = slices.Clone(c.Volumes)
	if c.Labels != nil {
		labels := make(map[string]string, len(c.Labels))
		for k, v := range c.Labels {
			labels[k] = v
		}
		c.Labels = labels
	}
	return c
}
