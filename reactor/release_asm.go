//go:build (amd64 || arm64) && !race

package reactor

// storeRelease64 stores x at addr with release semantics (release_*.s).
//
//go:noescape
func storeRelease64(addr *uint64, x uint64)
