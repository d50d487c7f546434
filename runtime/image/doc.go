// Package image is berth's image store and the per-container root filesystem.
//
// A store is a directory (normally <berth root>/images) holding one
// directory per image, named by the hex part of its ID, and the layer store:
//
//	<dir>/layers/<64 hex>/diff  one layer, unpacked once, named by its diff-id
//	<dir>/<64 hex>/config.json  the Docker/OCI image config; its sha256 is the ID
//	<dir>/<64 hex>/meta.json    facts that are not in the config (Size, Layers)
//	<dir>/<64 hex>/rootfs       a flat root filesystem (import; older berths)
//	<dir>/repositories.json     tag -> ID, changed only under repositories.lock
//
// Images are built in a temporary directory inside the store and renamed into
// place, so a concurrent reader (another berth process sharing the root) never
// sees half an image. The image busybox is built on first use from the host's
// static busybox.
//
// Archives are extracted through an os.Root: an entry that would land outside
// the root filesystem (by "..", an absolute name, a hard link or a write
// through a symlink pointing out) is refused, not rewritten.
//
// Each container gets an overlay mount: the image's layers as the read-only
// lower layers (fsconfig lowerdir+, overlay.go) and a private upper layer
// that is removed with the container. Layers are shared between images and
// freed with the last image that lists them (layers.go).
package image
