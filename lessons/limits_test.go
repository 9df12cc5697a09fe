package lessons

import (
	"testing"

	"golang.org/x/sys/unix"
)

// lower leaves exactly the asked number of fd numbers free below the new
// soft limit; restore puts the old limit back, and is safe to repeat.
func TestFDLimitLower(t *testing.T) {
	var before unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &before); err != nil {
		t.Fatal(err)
	}
	var f fdLimit
	defer f.restore()
	soft, err := f.lower(7)
	if err != nil {
		t.Fatal(err)
	}
	free := 0
	for fd := 0; uint64(fd) < soft; fd++ {
		if !isOpen(fd) {
			free++
		}
	}
	if was, _ := f.lowered(); free != 7 || was != before.Cur {
		t.Errorf("lower(7): %d free below %d, was %d; want 7 free, was %d", free, soft, was, before.Cur)
	}
	if n := countOpenFds(soft, -1); n != int(soft)-7 {
		t.Errorf("countOpenFds(%d) = %d; want %d", soft, n, soft-7)
	}
	for range 2 {
		if err := f.restore(); err != nil {
			t.Fatal(err)
		}
	}
	var now unix.Rlimit
	unix.Getrlimit(unix.RLIMIT_NOFILE, &now)
	if now != before {
		t.Errorf("after restore: %+v; want %+v", now, before)
	}
	if was, _ := f.lowered(); was != 0 {
		t.Errorf("lowered() after restore = %d; want 0", was)
	}
}
