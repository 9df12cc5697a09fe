package reactor

import (
	"sync/atomic"
	"unsafe"
)

// publishStore makes a single producer's writes before it visible to a
// reader that loads v atomically and then reads them: a store-release.
//
// sync/atomic has only sequentially consistent stores, which on amd64 are
// a locked XCHG: ~20 ns on the VM these figures come from, paid by the
// trace before every handler and at every wait and pass end (about 10 per
// pass of 8 events: as much as everything else the trace does). A
// release needs less: on amd64 every store is already one in hardware
// (total store order), so a plain MOV suffices, and on arm64 STLR is one.
// Go has no release store outside its runtime, so release_amd64.s and
// release_arm64.s provide it; a call into assembly is also a barrier the
// compiler does not move stores across. The race detector does not see
// assembly, so race builds, and other architectures, use atomic.Store.
func publishStore(v *atomic.Uint64, x uint64) {
	// atomic.Uint64 is one uint64 after zero-size markers: its address
	// is the value's (TestPublishStoreLayout checks the size).
	storeRelease64((*uint64)(unsafe.Pointer(v)), x)
}
