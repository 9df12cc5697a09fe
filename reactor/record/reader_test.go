package record

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
)

// passRecords is n plain loop passes, a few events each.
func passRecords(n int) []Record {
	var out []Record
	at := int64(1000)
	add := func(ev reactor.TraceEvent) {
		at += 1500
		ev.At = at
		out = append(out, Record{Type: RecEvent, Event: ev})
	}
	add(reactor.TraceEvent{Kind: reactor.KindRegister, Fd: 5, Interest: reactor.Readable, Label: "listener"})
	for i := range n {
		add(reactor.TraceEvent{Kind: reactor.KindPassStart, N: int64(i + 1)})
		add(reactor.TraceEvent{Kind: reactor.KindWaitStart, N: 1, Dur: -1, Backend: "epoll"})
		add(reactor.TraceEvent{Kind: reactor.KindWaitEnd, N: 1, Dur: 1400})
		add(reactor.TraceEvent{Kind: reactor.KindReady, Fd: 5, Ready: reactor.In, Label: "listener"})
		add(reactor.TraceEvent{Kind: reactor.KindDispatch, Fd: 5, Label: "listener", Dur: 900})
		add(reactor.TraceEvent{Kind: reactor.KindPassEnd, N: int64(i + 1), Dur: 4000, Dur2: 900})
	}
	return out
}

// segOffsets lists the byte offsets of the events blocks of data.
func segOffsets(t *testing.T, data []byte) []int64 {
	t.Helper()
	r, err := Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	for _, s := range r.segs {
		if s.typ == blockEvents {
			offs = append(offs, s.off)
		}
	}
	return offs
}

func TestParseRefuses(t *testing.T) {
	newer := binary.AppendUvarint([]byte(Magic), Version+1)
	for _, tc := range []struct {
		name string
		data []byte
		want []string
	}{
		{"text file", []byte("hello, this is not a trace\n"), []string{"not a reactorlab trace", "signature"}},
		{"empty", nil, []string{"not a reactorlab trace"}},
		{"JSON lines", []byte(`{"at_ns":1,"kind":"listen"}` + "\n"), []string{"not a reactorlab trace"}},
		{"cut in the signature", []byte(Magic[:5]), []string{"not a reactorlab trace", "ends inside the trace signature"}},
		{"newer version", newer, []string{"version 2 is newer", "(version 1)"}},
		{"no header", binary.AppendUvarint([]byte(Magic), Version), []string{"header block", "damaged"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.data)
			if err == nil {
				t.Fatal("Parse succeeded; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q; want it to say %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
		})
	}
	var ve *VersionError
	if _, err := Parse(newer); !errors.As(err, &ve) || ve.File != Version+1 || ve.Reads != Version {
		t.Errorf("newer version: %v; want a *VersionError naming both versions", err)
	}
	if _, err := Parse([]byte("hello")); !errors.Is(err, ErrNotTrace) {
		t.Errorf("text: %v; want ErrNotTrace", err)
	}
}

// TestTruncated cuts a recording at every byte of its last block: it reads
// up to the last complete block and says where it ends.
func TestTruncated(t *testing.T) {
	recs := passRecords(2000) // several blocks
	data := encode(t, Header{}, recs)
	offs := segOffsets(t, data)
	last := offs[len(offs)-1]
	complete := decodeAll(t, data[:last]) // everything before the last block
	for cut := last + 1; cut < int64(len(data)); cut += 97 {
		r, err := Parse(data[:cut])
		if err != nil {
			t.Fatalf("cut at %d: %v", cut, err)
		}
		if r.Complete {
			t.Errorf("cut at %d: Complete; want not", cut)
		}
		if len(r.Problems) != 1 || !r.Problems[0].Truncated || r.Problems[0].Offset != last {
			t.Fatalf("cut at %d: problems %v; want one truncation at byte %d", cut, r.Problems, last)
		}
		msg := r.Problems[0].String()
		for _, w := range []string{"ends at byte " + itoa(cut), "last complete block", "byte " + itoa(last)} {
			if !strings.Contains(msg, w) {
				t.Errorf("cut at %d: %q; want it to say %q", cut, msg, w)
			}
		}
		n := 0
		r.Scan(func(rec *Record) error {
			if rec.Type != RecKeyframe {
				n++
			}
			return nil
		})
		if n != len(complete) {
			t.Errorf("cut at %d: %d records; want %d (every complete block)", cut, n, len(complete))
		}
	}
}

func itoa(n int64) string { return strings.TrimSpace(strings.ReplaceAll(group(n), ",", "")) }

// TestCorrupted damages one block: it is skipped with its offset named,
// every other block still reads.
func TestCorrupted(t *testing.T) {
	recs := passRecords(2000)
	data := encode(t, Header{}, recs)
	offs := segOffsets(t, data)
	for _, tc := range []struct {
		name string
		at   int // bytes after the block's start
	}{{"payload", 40}, {"length", 3}, {"sync", 0}, {"type", 2}} {
		t.Run(tc.name, func(t *testing.T) {
			bad := bytes.Clone(data)
			bad[offs[1]+int64(tc.at)] ^= 0x5a
			r, err := Parse(bad)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Problems) != 1 || r.Problems[0].Offset != offs[1] || r.Problems[0].Truncated {
				t.Fatalf("problems %v; want one corrupted block at byte %d", r.Problems, offs[1])
			}
			if msg := r.Problems[0].String(); !strings.Contains(msg, "corrupted block at byte "+itoa(offs[1])) {
				t.Errorf("problem says %q; want it to name byte %d", msg, offs[1])
			}
			var skips, n int
			r.Scan(func(rec *Record) error {
				switch rec.Type {
				case RecSkip:
					skips++
					if rec.Offset != offs[1] {
						t.Errorf("skip at byte %d; want %d", rec.Offset, offs[1])
					}
				case RecKeyframe:
				default:
					n++
				}
				return nil
			})
			lost := blockRecords // the damaged block's records
			if skips != 1 || n != len(recs)-lost {
				t.Errorf("%d skips, %d records; want 1 skip and %d records", skips, n, len(recs)-lost)
			}
			if !r.Complete {
				t.Errorf("Complete = false; the end block is intact")
			}
		})
	}
}

// TestMalformedPayload is a block whose checksum holds but whose records
// do not parse (a writer bug, or a file made by hand): it reads as a
// skip, the rest of the file as usual.
func TestMalformedPayload(t *testing.T) {
	var b bytes.Buffer
	w, _ := NewWriter(&b, Header{})
	w.Write(&Record{Type: RecEvent, Event: reactor.TraceEvent{Kind: reactor.KindPassStart, At: 1}})
	w.Flush()
	bad := buf{}
	bad.uvarint(0)
	bad.varint(0)
	bad.uvarint(3)
	bad = append(bad, 0, 99) // tag 0, unknown sub-type
	b.Write(appendBlock(nil, blockEvents, bad))
	w.Write(&Record{Type: RecEvent, Event: reactor.TraceEvent{Kind: reactor.KindPassEnd, At: 2}})
	w.Close()
	r, err := Parse(b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	r.Scan(func(rec *Record) error {
		switch rec.Type {
		case RecSkip:
			kinds = append(kinds, "skip")
		case RecEvent:
			kinds = append(kinds, rec.Event.Kind.String())
		}
		return nil
	})
	if got := strings.Join(kinds, " "); got != "pass-start skip pass-end" {
		t.Errorf("read %q; want pass-start skip pass-end", got)
	}
}

// TestCursorSeek reads from every position and gets the same records as
// reading from the start.
func TestCursorSeek(t *testing.T) {
	g := &gen{r: rand.New(rand.NewPCG(7, 7))}
	data := encode(t, Header{}, g.records(3*blockRecords))
	r, _ := Parse(data)
	var all []Record
	var pos []Pos
	c := r.Cursor()
	var rec Record
	for {
		p := c.Pos()
		if !c.Next(&rec) {
			break
		}
		all = append(all, rec)
		pos = append(pos, p)
	}
	for _, i := range []int{0, 1, 500, blockRecords - 1, blockRecords, len(all) - 1} {
		c.Seek(pos[i])
		if !c.Next(&rec) || rec.Type != all[i].Type || rec.Event != all[i].Event {
			t.Errorf("Seek(%v): read %+v; want %+v", pos[i], rec.Event, all[i].Event)
		}
	}
}

func FuzzParse(f *testing.F) {
	g := &gen{r: rand.New(rand.NewPCG(1, 2))}
	valid := encode(f, Header{Scenario: "fuzz", Panes: []string{"loop"}}, g.records(300))
	f.Add(valid)
	f.Add(valid[:len(valid)/2])
	f.Add([]byte(Magic))
	f.Add([]byte("not a trace"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := Parse(data)
		if err != nil {
			return
		}
		s := Summarize(r)
		s.WriteTo(io.Discard)
		c := r.Cursor()
		var rec Record
		for c.Next(&rec) {
		}
	})
}
