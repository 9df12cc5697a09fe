//go:build linux

package syscount

import "strconv"

// nameOf names syscall number n on this architecture: the calls a network
// server and the Go runtime make, and "syscall N" for the rest.
func nameOf(n uint64) string {
	if s, ok := syscallNames[n]; ok {
		return s
	}
	return "syscall " + strconv.FormatUint(n, 10)
}
