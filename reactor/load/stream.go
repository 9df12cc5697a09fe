package load

import (
	"context"
	"fmt"
	"io"
	"net"
	"time"
)

// graceAfterStop is how long the open-loop reader waits for replies to
// requests already sent when the run ends; the rest are reported as lost.
const graceAfterStop = time.Second

// pacer yields the due time of each message for one connection: the
// connection's share of --rate, staggered so connections do not fire in
// lockstep. With no rate, every message is due "now".
type pacer struct {
	interval time.Duration
	due      time.Time
	timer    *time.Timer
}

func newPacer(o Options, id int) *pacer {
	p := &pacer{due: time.Now()}
	if o.Rate > 0 {
		p.interval = time.Duration(float64(time.Second) * float64(o.Conns) / o.Rate)
		p.due = p.due.Add(p.interval * time.Duration(id) / time.Duration(o.Conns))
	}
	return p
}

// wait blocks until the next message is due and returns its due time, or
// false when ctx ends first. A sender that fell behind gets its due times in
// the past and sends at once: an open-loop client never skips a request.
func (p *pacer) wait(ctx context.Context) (time.Time, bool) {
	if p.interval == 0 {
		return time.Now(), ctx.Err() == nil
	}
	due := p.due
	p.due = p.due.Add(p.interval)
	if d := time.Until(due); d > 0 {
		if p.timer == nil {
			p.timer = time.NewTimer(d)
		} else {
			p.timer.Reset(d)
		}
		select {
		case <-ctx.Done():
			return due, false
		case <-p.timer.C:
		}
	}
	return due, ctx.Err() == nil
}

// openLoop sends requests at their scheduled times from one goroutine and
// matches replies in another. Latency runs from the due time, so queueing
// caused by a slow server is counted.
func (r *run) openLoop(ctx context.Context, id int, c net.Conn) {
	sent := make(chan time.Time, 4096)
	go func() {
		defer close(sent)
		p := newPacer(r.opts, id)
		msg := make([]byte, r.opts.Size)
		for seq := 0; ; seq++ {
			due, ok := p.wait(ctx)
			if !ok {
				return
			}
			fill(msg, id, seq)
			if _, err := c.Write(msg); err != nil {
				r.fail(fmt.Errorf("conn %d: write: %w", id, err))
				return
			}
			if r.measuring(due) {
				r.sent.Add(uint64(len(msg)))
			}
			select {
			case sent <- due:
			case <-ctx.Done():
				return
			}
		}
	}()
	reply := make([]byte, r.opts.Size)
	want := make([]byte, r.opts.Size)
	seq := 0
	for due := range sent {
		if _, err := io.ReadFull(c, reply); err != nil {
			if ctx.Err() != nil {
				// Out of grace: this reply and those still queued are lost.
				n := uint64(1)
				for range sent {
					n++
				}
				r.lost.Add(n)
				return
			}
			r.fail(fmt.Errorf("conn %d: read: %w", id, err))
			for range sent {
			}
			return
		}
		fill(want, id, seq)
		if !r.check(id, seq, want, reply) {
			for range sent {
			}
			return
		}
		if r.measuring(due) {
			r.hist.record(time.Since(due))
			r.reqs.Add(1)
			r.recv.Add(uint64(len(reply)))
		}
		seq++
	}
}

// stream writes messages back to back (or at --rate) and, concurrently,
// reads and counts whatever comes back, verifying it if asked.
func (r *run) stream(ctx context.Context, id int, c net.Conn) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 64<<10)
		want := make([]byte, r.opts.Size)
		seq, off := 0, 0 // position in the expected stream
		fill(want, id, seq)
		for {
			n, err := c.Read(buf)
			if r.measuring(time.Now()) {
				r.recv.Add(uint64(n))
			}
			if r.opts.Verify {
				for got := buf[:n]; len(got) > 0; {
					k := min(len(got), len(want)-off)
					if i := firstMismatch(got[:k], want[off:off+k]); i >= 0 {
						r.fail(fmt.Errorf("conn %d: verify: message %d byte %d = %#02x; want %#02x",
							id, seq, off+i, got[i], want[off+i]))
						return
					}
					got, off = got[k:], off+k
					if off == len(want) {
						seq, off = seq+1, 0
						fill(want, id, seq)
					}
				}
			}
			if err != nil {
				if err != io.EOF {
					r.fail(fmt.Errorf("conn %d: read: %w", id, err))
				}
				return
			}
		}
	}()
	p := newPacer(r.opts, id)
	msg := make([]byte, r.opts.Size)
	for seq := 0; ; seq++ {
		due, ok := p.wait(ctx)
		if !ok {
			break
		}
		fill(msg, id, seq)
		if _, err := c.Write(msg); err != nil {
			r.fail(fmt.Errorf("conn %d: write: %w", id, err))
			break
		}
		if r.measuring(due) {
			r.reqs.Add(1)
			r.sent.Add(uint64(len(msg)))
		}
	}
	c.SetReadDeadline(time.Now()) // the writer is done; stop the reader too
	<-done
}
