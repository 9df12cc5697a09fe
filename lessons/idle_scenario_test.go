package lessons

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// startIdle starts lesson 11's scenario with no clients and the idle
// timeout shortened to timeout, and a trace subscription.
func startIdle(t *testing.T, timeout time.Duration) (*Driver, *idleServer, *reactor.Subscription) {
	t.Helper()
	checkNoLeaks(t)
	d, err := Start(context.Background(), Scenario{Server: Idle, Injectors: []string{injResetTimer, injForgetCancel, injBurst}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	s := d.ext.(*idleServer)
	d.post(func() { s.timeout = timeout })
	d.sync()
	sub := d.loop.Subscribe(1 << 14)
	t.Cleanup(sub.Close)
	return d, s, sub
}

// dialIdle connects to the idle server and reads its greeting.
func dialIdle(t *testing.T, d *Driver) (net.Conn, *bufio.Reader) {
	t.Helper()
	c, err := net.Dial("tcp", d.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	rd := bufio.NewReader(c)
	if line, err := rd.ReadString('\n'); err != nil || !strings.HasPrefix(line, "idle server") {
		t.Fatalf("greeting %q, %v", line, err)
	}
	return c, rd
}

// talk sends n lines, reading each echo back.
func talk(t *testing.T, c net.Conn, rd *bufio.Reader, n int) {
	t.Helper()
	for i := range n {
		fmt.Fprintf(c, "line %d\n", i)
		if got, err := rd.ReadString('\n'); err != nil || got != fmt.Sprintf("line %d\n", i) {
			t.Fatalf("echo of line %d = %q, %v", i, got, err)
		}
	}
}

// settle returns once every command posted before it has run and the
// trace events of the pass that ran them are published: a pass hands its
// events over when it ends, so a second sync, which runs in a later
// pass, comes after that.
func settle(d *Driver) {
	d.sync()
	d.sync()
}

// timerKinds counts the timer events in the trace so far.
func timerKinds(sub *reactor.Subscription, evs []reactor.TraceEvent) (map[reactor.Kind]int, []reactor.TraceEvent) {
	evs = sub.Drain(evs)
	n := map[reactor.Kind]int{}
	for _, ev := range evs {
		n[ev.Kind]++
	}
	return n, evs
}

// A silent client is hung up on once the timeout passes, with a goodbye.
func TestIdleTimeoutHangsUp(t *testing.T) {
	d, _, _ := startIdle(t, 100*time.Millisecond)
	_, rd := dialIdle(t, d)
	line, err := rd.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "idle for") {
		t.Fatalf("after the timeout read %q, %v; want the goodbye", line, err)
	}
	if _, err := rd.ReadString('\n'); err == nil {
		t.Errorf("connection still open after the goodbye")
	}
}

// Cancel + CallLater leaves a cancelled timer per line in the trace; Reset
// schedules the same timer again and cancels nothing. Either way a client
// that keeps talking is never hung up on.
func TestIdleResetModes(t *testing.T) {
	d, s, sub := startIdle(t, 5*time.Second)
	c, rd := dialIdle(t, d)
	talk(t, c, rd, 5)
	settle(d)
	n, evs := timerKinds(sub, nil)
	if n[reactor.KindTimerCancelled] < 5 {
		t.Errorf("cancel mode: %d timer-cancelled events for 5 lines; want at least 5", n[reactor.KindTimerCancelled])
	}
	if err := d.Inject(injResetTimer, true); err != nil || !d.InjectorOn(injResetTimer) || !s.resetInPlace.Load() {
		t.Fatalf("Inject(reset-timer, on) = %v; InjectorOn = %v", err, d.InjectorOn(injResetTimer))
	}
	talk(t, c, rd, 5)
	settle(d)
	var ids = map[int64]bool{}
	n, evs = timerKinds(sub, evs[:0])
	for _, ev := range evs {
		if ev.Kind == reactor.KindTimerScheduled && strings.Contains(ev.Label, "expire") {
			ids[ev.N] = true
		}
	}
	if n[reactor.KindTimerCancelled] != 0 || len(ids) != 1 {
		t.Errorf("reset mode: %d cancelled, idle timers scheduled under ids %v; want none cancelled, one id", n[reactor.KindTimerCancelled], ids)
	}
}

// The forget-cancel bug leaves the first timer armed: it fires while the
// client is still talking, hangs up on it and the error line says why.
func TestIdleForgetCancel(t *testing.T) {
	d, _, _ := startIdle(t, 300*time.Millisecond)
	if err := d.Inject(injForgetCancel, true); err != nil {
		t.Fatal(err)
	}
	c, rd := dialIdle(t, d)
	pace := time.NewTicker(20 * time.Millisecond) // a line every 20 ms: never quiet for long
	defer pace.Stop()
	var gone bool
	deadline := time.Now().Add(10 * time.Second)
	for i := 0; !gone; i++ {
		if time.Now().After(deadline) {
			t.Fatal("the client talking every 20 ms was never hung up on")
		}
		<-pace.C
		fmt.Fprintf(c, "line %d\n", i)
		line, err := rd.ReadString('\n')
		gone = err != nil || strings.HasPrefix(line, "idle for")
	}
	select {
	case err := <-d.Errors():
		if !strings.Contains(err.Error(), "should have been cancelled") {
			t.Errorf("error = %v; want it to name the forgotten cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Error("no error reported for the talker hung up on")
	}
}

// A burst of CallFromGoroutine calls all run, and the waker is written at
// most once per pass however many goroutines call.
func TestGoroutineBurst(t *testing.T) {
	d, s, _ := startIdle(t, time.Minute)
	d.sync()
	before := d.Stats()
	if err := d.Inject(injBurst, true); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "every call of the burst", func() bool {
		return loopValue(d, func() int { return s.burstRan }) == burstGoroutines*burstCalls
	})
	after := d.Stats()
	writes, passes := after.WakeWrites-before.WakeWrites, after.Passes-before.Passes
	if writes > passes {
		t.Errorf("%d waker writes in %d passes; want at most one per pass", writes, passes)
	}
	if writes >= burstGoroutines*burstCalls/10 {
		t.Errorf("%d waker writes for %d calls; want them coalesced", writes, burstGoroutines*burstCalls)
	}
}
