//go:build !(amd64 || arm64) || race

package reactor

import "sync/atomic"

// storeRelease64 is a sequentially consistent store here: stronger than
// a release, and what the race detector understands.
func storeRelease64(addr *uint64, x uint64) { atomic.StoreUint64(addr, x) }
