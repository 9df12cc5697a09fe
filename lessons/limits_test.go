package lessons

import (
	"context"
	"strings"
	"testing"
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
