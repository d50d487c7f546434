package image

import "errors"

var (
	// ErrNotFound: no image matches a reference. Its text is Docker's
	// ("No such image: nosuch:latest").
	ErrNotFound = errors.New("No such image") //nolint:staticcheck // Docker's exact wording
	// ErrInUse: the image's data cannot be removed because a mounted
	// container root filesystem uses it.
	ErrInUse = errors.New("image is in use")
	// ErrConflict: a removal by ID is ambiguous because several tags name
	// the image, or an ID prefix matches several images.
	ErrConflict = errors.New("conflict")
)
