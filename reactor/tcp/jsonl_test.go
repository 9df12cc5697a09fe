package tcp

import (
	"bytes"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// viaEncodingJSON is what the headless writer printed before appendEvent:
// json.Encoder (HTML escaping on) over ToJSONEvent.
func viaEncodingJSON(t testing.TB, ev reactor.TraceEvent) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := json.NewEncoder(&b).Encode(ToJSONEvent(ev)); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	return b.Bytes()
}

// hostileStrings are the labels and texts a server may carry: peer
// addresses, protocol names, error texts, and whatever bytes a lesson or
// a client puts in a label.
var hostileStrings = []string{
	"", "echo", "127.0.0.1:7007", "[::1%lo]:80", `quote " and back\slash`,
	"<script>alert(1)</script> & more", "\x00\x01\x07\b\t\n\v\f\r\x1b[2J\x1f\x7f",
	"naïve café 日本語 🙂", "\u2028line\u2029para", "\xff\xfe invalid \xc3\x28 utf-8 \xed\xa0\x80",
	"\xf4\x90\x80\x80 beyond U+10FFFF", "truncated \xe2\x82", strings.Repeat("long ", 200),
}

// appendEvent writes exactly what encoding/json wrote, for every kind
// (and one past the last), every field alone and all at once, extreme
// numbers, every Ready and Interest value, and hostile strings.
func TestAppendEventMatchesEncodingJSON(t *testing.T) {
	var evs []reactor.TraceEvent
	for k := reactor.Kind(0); k <= reactor.KindDeferred+1; k++ {
		evs = append(evs, reactor.TraceEvent{Kind: k, At: int64(k) * 1000})
	}
	full := reactor.TraceEvent{Kind: reactor.KindError, Ready: reactor.In | reactor.HangUp, Interest: reactor.Readable | reactor.Writable,
		Fd: 9, At: 123, N: -4, Dur: 5, Dur2: 6, Dur3: 7, Backend: "epoll", Label: "lbl", Text: "txt"}
	evs = append(evs, full,
		reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: -1},
		reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: math.MaxInt32, N: math.MaxInt64, At: math.MinInt64},
		reactor.TraceEvent{Kind: reactor.KindLag, Dur: -1, Dur2: time.Duration(math.MinInt64), Dur3: math.MaxInt64},
		reactor.TraceEvent{Kind: reactor.KindWaitStart, Dur: -1, Backend: "select"})
	for i := range 256 {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindReady, Ready: reactor.Ready(i), Interest: reactor.Interest(i)})
	}
	for _, s := range hostileStrings {
		evs = append(evs, reactor.TraceEvent{Kind: reactor.KindAccepted, Fd: 7, Label: s, Text: s, Backend: s})
	}
	var buf []byte
	for _, ev := range evs {
		want := viaEncodingJSON(t, ev)
		buf = appendEvent(buf[:0], &ev)
		if !bytes.Equal(buf, want) {
			t.Errorf("appendEvent(%+v)\n got %s\nwant %s", ev, buf, want)
		}
	}
}

// One event costs no allocation, whatever its fields.
func TestAppendEventAllocations(t *testing.T) {
	buf := make([]byte, 0, 4096)
	for _, ev := range []reactor.TraceEvent{
		{Kind: reactor.KindDispatch, Fd: 7, Ready: reactor.In, Label: "127.0.0.1:5000", Dur: 1234, At: 99},
		{Kind: reactor.KindRegister, Fd: 7, Interest: reactor.Readable | reactor.EdgeTriggered, Label: hostileStrings[9]},
		{Kind: reactor.KindPassEnd, N: 5, Dur: 1, Dur2: 2, Dur3: 3, Text: hostileStrings[6]},
	} {
		appendEvent(buf[:0], &ev) // the name tables are built on first use
		if a := testing.AllocsPerRun(100, func() { buf = appendEvent(buf[:0], &ev) }); a != 0 {
			t.Errorf("appendEvent(%v): %v allocations per event; want 0", ev.Kind, a)
		}
	}
}

// FuzzAppendEvent: for any bytes in the strings and any numbers, the
// output is one line of valid JSON, byte-identical to encoding/json's,
// that decodes back to the same fields (strings as encoding/json reads
// them: invalid UTF-8 replaced by U+FFFD).
func FuzzAppendEvent(f *testing.F) {
	for _, s := range hostileStrings {
		f.Add(uint8(reactor.KindAccepted), uint8(reactor.In), uint8(reactor.Readable), int32(7), int64(1), int64(2), int64(3), s, s, s)
	}
	f.Fuzz(func(t *testing.T, kind, ready, interest uint8, fd int32, at, n, dur int64, backend, label, text string) {
		ev := reactor.TraceEvent{Kind: reactor.Kind(kind), Ready: reactor.Ready(ready), Interest: reactor.Interest(interest),
			Fd: fd, At: at, N: n, Dur: time.Duration(dur), Dur2: time.Duration(n ^ dur), Dur3: time.Duration(at ^ n),
			Backend: backend, Label: label, Text: text}
		got := appendEvent(nil, &ev)
		if want := viaEncodingJSON(t, ev); !bytes.Equal(got, want) {
			t.Fatalf("appendEvent differs from encoding/json\n got %q\nwant %q", got, want)
		}
		if bytes.IndexByte(got, '\n') != len(got)-1 {
			t.Fatalf("output is not exactly one line: %q", got)
		}
		if !json.Valid(got) {
			t.Fatalf("output is not valid JSON: %q", got)
		}
		var back JSONEvent
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("decoding %q: %v", got, err)
		}
		// What encoding/json reads back from its own output.
		var want JSONEvent
		json.Unmarshal(viaEncodingJSON(t, ev), &want)
		if back != want {
			t.Fatalf("decoded %+v; want %+v", back, want)
		}
	})
}

// BenchmarkAppendEvent against encoding/json, for one typical event.
func BenchmarkAppendEvent(b *testing.B) {
	ev := reactor.TraceEvent{Kind: reactor.KindDispatch, Fd: 7, Ready: reactor.In, Label: "127.0.0.1:51234", Dur: 1234, At: 123456789}
	b.Run("hand-written", func(b *testing.B) {
		buf := make([]byte, 0, 512)
		b.ReportAllocs()
		for b.Loop() {
			buf = appendEvent(buf[:0], &ev)
		}
	})
	b.Run("encoding-json", func(b *testing.B) {
		var w bytes.Buffer
		enc := json.NewEncoder(&w)
		b.ReportAllocs()
		for b.Loop() {
			w.Reset()
			enc.Encode(ToJSONEvent(ev))
		}
	})
}
