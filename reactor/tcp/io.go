package tcp

import (
	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// maxIdleBuffer is the largest output buffer kept once drained; bigger ones
// are dropped so that idle connections cost almost nothing.
const maxIdleBuffer = 64 << 10

// Write sends p: straight to the socket when nothing is queued, buffering
// only the part that did not fit. It returns ErrClosed after LoseConnection,
// CloseWrite, Abort or close; a failing socket is closed (ConnectionLost
// follows on the next loop iteration). If queueing the rest would pass the
// server's output ceiling (WithOutputCeiling), the connection is reset
// instead and the error matches ErrOutputCeiling. Write never blocks.
func (t *Transport) Write(p []byte) (int, error) {
	if t.closed || t.disconnecting || t.writeShut {
		return 0, ErrClosed
	}
	n := len(p)
	if t.BufferedBytes() == 0 && len(p) > 0 {
		w, err := t.write(p)
		if err != nil {
			t.close(err, false, true)
			return 0, err
		}
		p = p[w:]
	}
	if len(p) > 0 {
		if err := t.ep.overCeiling(len(p)); err != nil {
			t.ep.stats.overCeiling.Add(1)
			t.drop(err)
			return n - len(p), err
		}
		if t.off > 0 && t.off >= cap(t.out)/2 {
			// Slide the unsent tail down instead of growing forever.
			t.out = t.out[:copy(t.out, t.out[t.off:])]
			t.off = 0
		}
		t.out = append(t.out, p...)
		t.ep.enqueue(len(p))
		if t.interest&reactor.Writable == 0 {
			t.setInterestOrClose(true)
		}
		t.checkHighWater()
		t.traceQueue()
	}
	return n, nil
}

// WriteString is Write for strings.
func (t *Transport) WriteString(s string) (int, error) { return t.Write([]byte(s)) }

// write makes one send, retrying on EINTR. EAGAIN is (0, nil). send, not
// write(2): on Linux with MSG_NOSIGNAL, and elsewhere on a socket with
// SO_NOSIGPIPE, so a peer that has gone away is an EPIPE error here and
// never a SIGPIPE for the program embedding the loop.
func (t *Transport) write(p []byte) (int, error) {
	for {
		n, err := send(t.fd, p)
		t.loop.CountSyscall(reactor.SysWrite)
		switch err {
		case nil:
			t.ep.stats.bytesOut.Add(uint64(n))
			if t.loop.Tracing() {
				t.loop.Trace(reactor.TraceEvent{Kind: reactor.KindBytesOut, Fd: int32(t.fd), Label: t.label, N: int64(n)})
			}
			return n, nil
		case unix.EINTR:
			continue
		case unix.EAGAIN:
			return 0, nil
		}
		return 0, ioError(sendCall, err)
	}
}

// flush writes buffered output until the socket is full or the buffer is
// empty, then finishes whatever was waiting for the drain.
func (t *Transport) flush() {
	for t.BufferedBytes() > 0 {
		w, err := t.write(t.out[t.off:])
		if err != nil {
			t.close(err, false, false)
			return
		}
		if w == 0 {
			break
		}
		t.off += w
		t.ep.dequeue(w)
	}
	t.traceQueue()
	if t.BufferedBytes() == 0 {
		if cap(t.out) > maxIdleBuffer {
			t.out = nil
		} else {
			t.out = t.out[:0]
		}
		t.off = 0
	}
	t.afterFlush()
}

// afterFlush resumes a paused producer below the low watermark and completes
// LoseConnection or CloseWrite once everything is out.
func (t *Transport) afterFlush() {
	if t.producer != nil && t.producerPaused && t.BufferedBytes() <= t.ep.cfg.lowWater {
		t.producerPaused = false
		t.traceText(reactor.KindResumed, "producer")
		t.producer.ResumeProducing()
		if t.closed {
			return
		}
	}
	if t.BufferedBytes() == 0 {
		switch {
		case t.disconnecting:
			t.startLinger(false)
			return
		case t.writeShut && !t.shutDone:
			if t.shutdownWrite(false) != nil || t.closed {
				return
			}
		}
	}
	t.setInterestOrClose(false)
}

// doRead reads until the socket is empty, the peer is done, or the per-event
// budget is spent; the rest waits for the next pass (the fd stays readable,
// level-triggered), so one fast sender cannot starve the others. While
// disconnecting, what it reads is discarded: the protocol is done with it.
func (t *Transport) doRead() {
	budget := t.ep.cfg.readBudget
	total := 0
	for t.wantRead() && (budget < 0 || total < budget) {
		n, eof, err := t.readChunk()
		switch {
		case err != nil:
			t.close(err, false, false)
			return
		case eof:
			t.endOfInput()
			return
		case n == 0:
			return // EAGAIN
		}
		total += n
		if t.disconnecting {
			t.discarded = true
		} else {
			t.proto.DataReceived(t.ep.readBuf[:n])
		}
		if n < len(t.ep.readBuf) {
			// A short read means the kernel had no more bytes at that moment:
			// as good as EAGAIN, one syscall cheaper. With level-triggered
			// readiness anything arriving later (data or the FIN of a
			// hang-up) is reported again on the next pass.
			return
		}
	}
}

// discardPending reads and throws away what input is already here, up to
// the read budget, for a transport about to linger. It reports end of
// input, or the read's error, and leaves closing to the caller, which may
// be inside protocol code.
func (t *Transport) discardPending() (eof bool, err error) {
	budget := t.ep.cfg.readBudget
	for total := 0; budget < 0 || total < budget; {
		n, eof, err := t.readChunk()
		if err != nil || eof || n == 0 {
			t.readEOF = t.readEOF || eof
			return eof, err
		}
		total += n
		t.discarded = true
	}
	return false, nil
}

// readChunk makes one read(2) into the endpoint's buffer, retrying on
// EINTR, and counts and traces what arrived. (0, false, nil) is EAGAIN.
func (t *Transport) readChunk() (n int, eof bool, err error) {
	for {
		n, err = readSocket(t.fd, t.ep.readBuf)
		t.loop.CountSyscall(reactor.SysRead)
		switch {
		case err == unix.EINTR:
			continue
		case err == unix.EAGAIN:
			return 0, false, nil
		case err != nil:
			return 0, false, ioError("read", err)
		case n == 0:
			return 0, true, nil
		}
		t.ep.stats.bytesIn.Add(uint64(n))
		if t.loop.Tracing() {
			text := ""
			if t.disconnecting {
				text = "discarded"
			}
			t.loop.Trace(reactor.TraceEvent{Kind: reactor.KindBytesIn, Fd: int32(t.fd), Label: t.label, N: int64(n), Text: text})
		}
		return n, false, nil
	}
}

// endOfInput handles read(2) returning 0: the peer has finished sending.
// Data that arrived before the FIN has already been delivered.
func (t *Transport) endOfInput() {
	t.readEOF = true
	if t.disconnecting {
		// The peer finished while this side lingered (or flushed): close
		// once the output is out.
		if t.BufferedBytes() == 0 {
			t.close(t.lossReason, false, false)
		} else {
			t.setInterestOrClose(false)
		}
		return
	}
	if hc, ok := t.proto.(HalfCloser); ok {
		t.setInterestOrClose(false)
		hc.ReadConnectionLost()
		if t.shutDone && !t.closed {
			t.close(ErrConnectionDone, false, false) // both directions are done
		}
		return
	}
	// Default: like Twisted, the connection ends when input ends, but
	// output already written is still delivered first.
	if t.BufferedBytes() == 0 {
		t.close(ErrConnectionDone, false, false)
		return
	}
	t.disconnecting = true
	t.lossReason = ErrConnectionDone
	t.setInterestOrClose(false)
}
