package tcp

import (
	"errors"
	"io"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// patternProducer writes a counting byte pattern in chunks while resumed.
type patternProducer struct {
	t                      *Transport
	total, sent            int
	pauses, resumes, stops int
	paused                 bool
	firstPause             chan struct{}
}

func (p *patternProducer) PauseProducing() {
	p.paused = true
	p.pauses++
	if p.pauses == 1 {
		close(p.firstPause)
	}
}

func (p *patternProducer) ResumeProducing() {
	p.paused = false
	p.resumes++
	p.produce()
}

func (p *patternProducer) StopProducing() { p.stops++ }

// produce writes until paused or done.
func (p *patternProducer) produce() {
	chunk := make([]byte, 16<<10)
	for !p.paused && p.sent < p.total {
		n := min(len(chunk), p.total-p.sent)
		for i := range n {
			chunk[i] = byte((p.sent + i) % 251)
		}
		p.t.Write(chunk[:n])
		p.sent += n
	}
	if p.sent == p.total {
		p.t.UnregisterProducer()
		p.t.LoseConnection()
	}
}

// A large write against a tiny send buffer pauses the producer above the
// high watermark and resumes it as the client drains.
func TestProducerBackpressure(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			r := newRecorder()
			p := &patternProducer{total: 512 << 10, firstPause: make(chan struct{})}
			r.onMade = func(tr *Transport) {
				unix.SetsockoptInt(tr.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
				p.t = tr
				tr.RegisterProducer(p)
				p.produce()
			}
			ln := listen(t, loop, one(r))
			c := dial(t, ln.Addr())
			<-p.firstPause // the client has not read anything yet
			got, err := io.ReadAll(c)
			if err != nil || len(got) != p.total {
				t.Fatalf("read %d bytes, %v; want %d then EOF", len(got), err, p.total)
			}
			for i, v := range got {
				if v != byte(i%251) {
					t.Fatalf("byte %d = %d; want %d", i, v, i%251)
				}
			}
			if err := waitErr(t, r.lost); !errors.Is(err, ErrConnectionDone) {
				t.Errorf("ConnectionLost(%v); want ErrConnectionDone", err)
			}
			var pauses, resumes int
			onLoop(loop, func() { pauses, resumes = p.pauses, p.resumes })
			// The final chunk may cross the high watermark once more after
			// which the producer is done, so one pause may go unanswered.
			if resumes < 1 || pauses < resumes || pauses > resumes+1 {
				t.Errorf("pauses %d, resumes %d; want at least one of each, and a resume for every pause but perhaps the last", pauses, resumes)
			}
		})
	}
}

// A transport is a producer: registering the upstream transport on the
// downstream one makes a slow downstream reader throttle the upstream.
func TestTransportAsProducer(t *testing.T) {
	loop := startLoop(t, "")
	// A one-way proxy: whatever "up" sends is forwarded to "down".
	down := newRecorder()
	var downT *Transport // loop goroutine only
	down.onMade = func(tr *Transport) {
		unix.SetsockoptInt(tr.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
		downT = tr
	}
	up := newRecorder()
	up.onMade = func(tr *Transport) { downT.RegisterProducer(tr) }
	up.onData = func(_ *Transport, b []byte) { downT.Write(b) }
	lnDown := listen(t, loop, one(down))
	lnUp := listen(t, loop, one(up))
	cDown := dial(t, lnDown.Addr())
	<-down.made
	cUp := dial(t, lnUp.Addr())
	upT := <-up.made

	// Send 2 MiB upstream from another goroutine while nobody reads
	// downstream: the proxy must pause reading upstream.
	const total = 2 << 20
	writeDone := make(chan error, 1)
	go func() {
		_, err := cUp.Write(make([]byte, total))
		cUp.CloseWrite()
		writeDone <- err
	}()
	paused := false
	for !paused {
		<-up.got // progress on the loop; check whether it paused
		onLoop(loop, func() { paused = upT.ReadingPaused() })
	}
	n, err := io.Copy(io.Discard, io.LimitReader(cDown, total))
	if err != nil || n != total {
		t.Errorf("downstream read %d, %v; want %d", n, err, total)
	}
	if err := <-writeDone; err != nil {
		t.Errorf("upstream write: %v", err)
	}
}

// The output buffer's size is traced when it changes, with the watermarks
// it is measured against: it climbs past the high watermark (the producer
// pauses) and ends at 0 once the reader has drained it.
func TestTraceQueue(t *testing.T) {
	loop := startLoop(t, "")
	sub := loop.Subscribe(1 << 16)
	defer sub.Close()
	r := newRecorder()
	p := &patternProducer{total: 256 << 10, firstPause: make(chan struct{})}
	r.onMade = func(tr *Transport) {
		unix.SetsockoptInt(tr.Fd(), unix.SOL_SOCKET, unix.SO_SNDBUF, 4096)
		p.t = tr
		tr.RegisterProducer(p)
		p.produce()
	}
	ln := listen(t, loop, one(r), WithWatermarks(32<<10, 8<<10))
	c := dial(t, ln.Addr())
	<-p.firstPause
	if _, err := io.ReadAll(c); err != nil {
		t.Fatal(err)
	}
	waitErr(t, r.lost)
	var peak, last int64 = 0, -1
	n := 0
	for _, ev := range sub.Drain(nil) {
		if ev.Kind != reactor.KindWriteQueue {
			continue
		}
		n++
		if ev.Dur2 != 32<<10 || ev.Dur3 != 8<<10 || ev.Label == "" {
			t.Fatalf("write-queue event %+v; want watermarks 32768/8192 in Dur2/Dur3 and a label", ev)
		}
		peak, last = max(peak, ev.N), ev.N
	}
	if n < 2 || peak <= 32<<10 || last != 0 {
		t.Errorf("%d write-queue events, peak %d, last %d; want several, a peak above the high watermark and a last of 0", n, peak, last)
	}
}
