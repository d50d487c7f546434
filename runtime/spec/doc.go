// Package spec holds the plain data that describes what a user asked for —
// a container, its resources, its log configuration — and the checks that
// decide whether it is valid. The engine, the Starlark layer and the CLI all
// share these types, so there is one definition and one set of error texts
// (Docker's, where a user would search for them).
package spec
