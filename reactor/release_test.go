package reactor

import (
	"sync/atomic"
	"testing"
	"unsafe"
)

// publishStore writes through the address of an atomic.Uint64, which is
// only the value's address while the type is exactly one uint64.
func TestPublishStoreLayout(t *testing.T) {
	var v atomic.Uint64
	if got := unsafe.Sizeof(v); got != 8 {
		t.Fatalf("unsafe.Sizeof(atomic.Uint64{}) = %d; want 8", got)
	}
	publishStore(&v, 42)
	if got := v.Load(); got != 42 {
		t.Errorf("Load after publishStore(42) = %d; want 42", got)
	}
}
