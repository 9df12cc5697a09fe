package reactor

import (
	"errors"
	"testing"
)

func TestStrings(t *testing.T) {
	tests := []struct{ got, want string }{
		{Readable.String(), "r"},
		{Writable.String(), "w"},
		{(Readable | Writable).String(), "rw"},
		{(Readable | Writable | EdgeTriggered).String(), "rw|et"},
		{(Readable | OneShot).String(), "r|oneshot"},
		{In.String(), "in"},
		{(In | HangUp).String(), "in|hup"},
		{(In | ReadClosed).String(), "in|read-closed"},
		{(Out | WriteClosed | Err).String(), "out|write-closed|err"},
		{(In | ReadClosed).Glyphs(), "I.R."},
		{(Out | WriteClosed).Glyphs(), ".OW."},
		{Ready(0).String(), "none"},
		{In.Glyphs(), "I..."},
		{(In | Out).Glyphs(), "IO.."},
		{(In | HangUp).Glyphs(), "I.H."},
		{(In | Out | HangUp | Err).Glyphs(), "IOHE"},
		{(Err | Invalid).String(), "err|nval"},
		{Invalid.String(), "nval"},
		{KindWaitStart.String(), "wait-start"},
		{Kind(200).String(), "kind(200)"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q; want %q", tc.got, tc.want)
		}
	}
	tok := MakeToken(1234, 7)
	if tok.Fd() != 1234 || tok.Gen() != 7 {
		t.Errorf("MakeToken(1234, 7) = fd %d gen %d; want 1234, 7", tok.Fd(), tok.Gen())
	}
}

func testModes(t *testing.T, backend string) {
	l := newLoop(t, backend)
	a, b := socketpair(t)
	reg, err := l.Register(a, Readable|EdgeTriggered, "et", func(int, Ready) {})
	if backend != "epoll" {
		if !errors.Is(err, ErrModeUnsupported) {
			t.Errorf("Register(et) on %s = %v; want ErrModeUnsupported", backend, err)
		}
		// Parked, the mode is refused at once, not when it is unparked.
		if _, err := l.Register(a, EdgeTriggered, "et", func(int, Ready) {}); !errors.Is(err, ErrModeUnsupported) {
			t.Errorf("Register(parked et) on %s = %v; want ErrModeUnsupported", backend, err)
		}
		return
	}
	if err != nil {
		t.Fatalf("Register(et) = %v; want nil", err)
	}
	reg.Deregister()
	// Edge-triggered: one report per arrival, even if the data stays unread.
	calls := 0
	reg = register(t, l, a, Readable|EdgeTriggered, "et", func(int, Ready) { calls++ })
	write(t, b, "x")
	iterateUntil(t, l, "edge", func() bool { return calls == 1 })
	for range 3 {
		l.Iterate(0)
	}
	if calls != 1 {
		t.Errorf("ET calls with unread data = %d; want 1", calls)
	}
	reg.Deregister()
	// One-shot: disarmed after one event until Modify re-arms it.
	calls = 0
	reg = register(t, l, a, Readable|OneShot, "once", func(int, Ready) { calls++ })
	iterateUntil(t, l, "one-shot", func() bool { return calls == 1 })
	for range 3 {
		l.Iterate(0)
	}
	if calls != 1 {
		t.Errorf("one-shot calls = %d; want 1", calls)
	}
	reg.Modify(Readable | OneShot)
	iterateUntil(t, l, "re-armed", func() bool { return calls == 2 })
}

// readyOf is the one place a kernel report becomes Ready: select's
// definition of readable and writable, mio's of read- and write-closed.
func TestReadyOf(t *testing.T) {
	type report struct{ rd, wr, rdhup, hup, err bool }
	tests := []struct {
		name string
		in   Interest
		k    report
		want Ready
	}{
		{"data", Readable, report{rd: true}, In},
		{"half-close (FIN)", Readable | Writable, report{rd: true, wr: true, rdhup: true}, In | Out | ReadClosed},
		{"hang-up", Readable, report{rd: true, rdhup: true, hup: true}, In | HangUp},
		{"pipe, writer gone", Readable, report{hup: true}, In | HangUp},
		{"pipe, reader gone", Writable, report{wr: true, err: true}, Out | WriteClosed | Err},
		{"reset", Readable | Writable, report{rd: true, wr: true, rdhup: true, hup: true, err: true}, In | Out | HangUp | Err},
		{"error, not readable", Readable, report{err: true}, In | WriteClosed | Err},
		{"error while readable", Readable, report{rd: true, err: true}, In | Err},
		{"interest decides In and Out", 0, report{rd: true, wr: true}, 0},
	}
	for _, tc := range tests {
		if got := readyOf(tc.in, tc.k.rd, tc.k.wr, tc.k.rdhup, tc.k.hup, tc.k.err); got != tc.want {
			t.Errorf("%s: readyOf(%v, %+v) = %v; want %v", tc.name, tc.in, tc.k, got, tc.want)
		}
	}
}
