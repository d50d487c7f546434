package backend

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"berth/runtime/spec"
)

// EnsureImage makes the image of a run or create present as docker run
// does, following policy (spec.PullMissing when empty): "missing" pulls
// an image that is not stored (or stored for another platform than the
// one asked), "always" pulls every time, "never" only looks. Pull errors
// keep Docker's "Unable to find image ... locally" first line.
func EnsureImage(ctx context.Context, images Images, ref, policy, platform string) error {
	if strings.TrimSpace(ref) == "" {
		return nil // create's validation names the missing image
	}
	if err := spec.CheckPull(policy); err != nil {
		return err
	}
	if err := spec.CheckPlatform(platform); err != nil {
		return err
	}
	pull := func() error {
		_, err := images.Pull(ctx, ref, PullOptions{Platform: platform})
		return err
	}
	if policy == spec.PullAlways {
		return pull()
	}
	img, err := images.Get(ctx, ref)
	switch {
	case err == nil && platformMatches(img, platform):
		return nil
	case err == nil && policy == spec.PullNever:
		return fmt.Errorf("image %s is for %s/%s, not %s, and pull=\"never\" forbids fetching it", ref, img.OS, img.Architecture, platform)
	case err == nil:
	case !errors.Is(err, ErrNoSuchImage) || policy == spec.PullNever:
		return err
	}
	if err := pull(); err != nil {
		name, nerr := spec.NormalizeImageRef(ref)
		if nerr != nil {
			name = ref
		}
		return fmt.Errorf("Unable to find image '%s' locally: %w", name, err)
	}
	return nil
}

// platformMatches reports whether img is for platform ("" matches any).
func platformMatches(img ImageInfo, platform string) bool {
	if platform == "" {
		return true
	}
	parts := strings.Split(platform, "/")
	return img.OS == parts[0] && img.Architecture == parts[1]
}
