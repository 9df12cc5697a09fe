//go:build linux && arm64

package syscount

// archNames: arm64 has no syscall of the list that amd64 lacks.
var archNames = map[uint64]string{}
