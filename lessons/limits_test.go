package lessons

import (
	"context"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// A capped lab adds what fits, says why the rest was not added, and takes
// clients again once they are dropped.
func TestCappedLessonsHoldClients(t *testing.T) {
	checkNoLeaks(t)
	ls := CappedLessons(Limits{MaxClients: 5})
	if got, want := len(ls), len(Lessons()); got != want {
		t.Fatalf("CappedLessons: %d lessons; want %d", got, want)
	}
	if Lessons()[0].limits != (Limits{}) {
		t.Fatalf("CappedLessons changed the shared curriculum's limits")
	}
	live, err := ls[0].Start(context.Background()) // lesson 1: 3 active clients at the start
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	d := live.(*Driver)
	d.AddClients(10, false)
	select {
	case err := <-d.Errors():
		if !strings.Contains(err.Error(), "at most 5 simulated clients") || !strings.Contains(err.Error(), "8 were not added") {
			t.Errorf("error = %q; want it to name the cap of 5 and the 8 left out", err)
		}
	default:
		t.Fatalf("asking past the cap reported nothing on Errors")
	}
	alive := func() int { d.clients.mu.Lock(); defer d.clients.mu.Unlock(); return d.clients.alive }
	if got := alive(); got != 5 {
		t.Errorf("clients alive = %d; want the cap, 5", got)
	}
	d.DropClients()
	waitFor(t, "the dropped clients to finish", func() bool { return alive() == 0 })
	d.AddClients(4, false)
	if got := alive(); got != 4 {
		t.Errorf("after a drop, adding 4: alive = %d; want 4", got)
	}
	select {
	case err := <-d.Errors():
		t.Errorf("adding within the cap reported %v; want nothing", err)
	default:
	}
}

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
