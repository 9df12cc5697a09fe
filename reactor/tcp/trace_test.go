package tcp

import (
	"io"
	"slices"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

// Every connection event reaches the loop's trace: listen, accepted, bytes
// in and out, paused and resumed, closed with its reason.
func TestConnectionEventsAreTraced(t *testing.T) {
	loop := startLoop(t, "")
	sub := loop.Subscribe(1024)
	defer sub.Close()
	r := newRecorder()
	r.onData = func(tr *Transport, d []byte) {
		tr.PauseReading()
		tr.Write(d)
		tr.ResumeReading()
	}
	ln := listen(t, loop, one(r))
	c := dial(t, ln.Addr())
	c.Write([]byte("ping"))
	io.ReadFull(c, make([]byte, 4))
	c.Close()
	waitErr(t, r.lost)

	evs := drainUntil(t, loop, sub, func(evs []reactor.TraceEvent) bool {
		return slices.ContainsFunc(evs, func(ev reactor.TraceEvent) bool { return ev.Kind == reactor.KindClosed })
	})
	seen := map[reactor.Kind]string{}
	for _, ev := range evs {
		if _, ok := seen[ev.Kind]; !ok || ev.Kind == reactor.KindClosed {
			seen[ev.Kind] = ev.Text
		}
	}
	for _, k := range []reactor.Kind{reactor.KindListen, reactor.KindAccepted, reactor.KindBytesIn,
		reactor.KindBytesOut, reactor.KindPaused, reactor.KindResumed, reactor.KindClosed} {
		if _, ok := seen[k]; !ok {
			t.Errorf("no %v event in the trace; kinds seen: %v", k, keys(seen))
		}
	}
	if got := seen[reactor.KindClosed]; got != "clean" {
		t.Errorf("closed event text = %q; want clean", got)
	}
	if got := seen[reactor.KindListen]; got != ln.Addr().String() {
		t.Errorf("listen event text = %q; want %s", got, ln.Addr())
	}
}

func keys(m map[reactor.Kind]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k.String())
	}
	slices.Sort(ks)
	return ks
}
