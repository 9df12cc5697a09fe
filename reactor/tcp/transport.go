package tcp

import (
	"fmt"
	"net"
	"os"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

// Transport is the reactor's side of one TCP connection: it owns the socket,
// reads into the protocol and buffers what the socket cannot take yet.
//
// All methods must be called on the loop goroutine (from protocol callbacks,
// timers, or a function passed to Loop.CallFromGoroutine).
//
// # Writing
//
// Write tries the socket at once; only what did not fit is copied into the
// output buffer, and only then does the transport ask the loop for
// writability. A connection whose peer keeps up therefore never touches the
// poller for writes — no register or modify per message.
type Transport struct {
	loop   *reactor.Loop
	ep     *endpoint
	fd     int                  // -1 once closed
	reg    reactor.Registration // held from start to close; interest 0 parks it
	proto  Protocol
	label  string
	remote *net.TCPAddr
	local  *net.TCPAddr // filled lazily by LocalAddr

	out []byte // output buffer; out[off:] is still to be written
	off int

	interest reactor.Interest // what the registration asks the kernel for now

	readPaused    bool           // PauseReading was called
	readEOF       bool           // the peer has finished sending
	disconnecting bool           // LoseConnection: flush, shut down writing, linger, close
	writeShut     bool           // CloseWrite was called: no more writes
	shutDone      bool           // shutdown(SHUT_WR) has been issued
	closed        bool           // the fd is closed
	made          bool           // ConnectionMade has been called (so ConnectionLost is owed)
	lossReason    error          // reason to report when a pending LoseConnection completes
	discarded     bool           // input arrived after LoseConnection: the close must linger
	linger        *reactor.Timer // ends a lingering close the peer does not finish

	producer       Producer
	producerPaused bool
	tracedQueue    int // BufferedBytes at the last KindWriteQueue event (traceQueue)
}

func newTransport(loop *reactor.Loop, ep *endpoint, fd int, remote *net.TCPAddr, p Protocol) *Transport {
	return &Transport{loop: loop, ep: ep, fd: fd, proto: p, remote: remote,
		label: ep.cfg.label + " " + remote.String()}
}

// start registers the connection and calls ConnectionMade. It fails (and
// closes the socket) if the loop cannot watch the fd, e.g. the select
// backend and an fd >= 1024.
func (t *Transport) start() error {
	t.ep.conns[t] = struct{}{}
	t.ep.stats.open.Add(1)
	reg, err := t.loop.Register(t.fd, reactor.Readable, t.label, t.handle)
	if err != nil {
		t.close(err, true, false)
		return err
	}
	t.reg, t.interest = reg, reactor.Readable
	t.made = true
	defer t.closeOnPanic()
	t.proto.ConnectionMade(t)
	return nil
}

// closeOnPanic, deferred around protocol calls, resets the connection of a
// protocol that panicked and re-panics so the loop records it as usual: a
// protocol bug costs its own connection, not the server.
func (t *Transport) closeOnPanic() {
	if p := recover(); p != nil {
		t.close(fmt.Errorf("tcp: protocol panicked: %v", p), true, true)
		panic(p)
	}
}

// Fd returns the socket's file descriptor (for tracing and socket
// options), or -1 once the transport is closed: the number may by then
// belong to another connection.
func (t *Transport) Fd() int { return t.fd }

// Loop returns the loop this transport runs on.
func (t *Transport) Loop() *reactor.Loop { return t.loop }

// Protocol returns the protocol attached to this transport.
func (t *Transport) Protocol() Protocol { return t.proto }

// RemoteAddr returns the peer's address.
func (t *Transport) RemoteAddr() net.Addr { return t.remote }

// LocalAddr returns this end's address (nil once closed).
func (t *Transport) LocalAddr() net.Addr {
	if t.local == nil && !t.closed {
		if sa, err := unix.Getsockname(t.fd); err == nil {
			t.local = tcpAddr(sa)
		}
	}
	if t.local == nil {
		return nil
	}
	return t.local
}

// BufferedBytes returns how many written bytes are waiting for the socket.
func (t *Transport) BufferedBytes() int { return len(t.out) - t.off }

// Connected reports whether the socket is still open.
func (t *Transport) Connected() bool { return !t.closed }

// Disconnecting reports whether LoseConnection has been called.
func (t *Transport) Disconnecting() bool { return t.disconnecting }

// ReadingPaused reports whether PauseReading is in effect.
func (t *Transport) ReadingPaused() bool { return t.readPaused }

// wantRead reports whether the transport should be reading right now.
// While disconnecting it reads even when paused: the input is discarded,
// so the peer's unread bytes never turn the close into a reset.
func (t *Transport) wantRead() bool {
	return !t.closed && !t.readEOF && (t.disconnecting || !t.readPaused)
}

// setInterest tells the loop what to watch: readable while reading,
// writable only while output is pending, nothing (the registration
// parked) when neither.
func (t *Transport) setInterest() error {
	if t.closed {
		return nil
	}
	var want reactor.Interest
	if t.wantRead() {
		want |= reactor.Readable
	}
	if t.BufferedBytes() > 0 {
		want |= reactor.Writable
	}
	if want == t.interest {
		return nil
	}
	if err := t.reg.Modify(want); err != nil {
		return err
	}
	t.interest = want
	return nil
}

// setInterestOrClose is setInterest for callers that cannot return an error.
func (t *Transport) setInterestOrClose(later bool) {
	if err := t.setInterest(); err != nil {
		t.close(err, true, later)
	}
}

// handle is the loop's callback for this fd.
func (t *Transport) handle(_ int, r reactor.Ready) {
	if t.closed {
		return
	}
	defer t.closeOnPanic()
	if t.BufferedBytes() > 0 && r&(reactor.Out|reactor.WriteClosed|reactor.Err) != 0 {
		t.flush()
	}
	if t.wantRead() && r&(reactor.In|reactor.ReadClosed|reactor.Err) != 0 {
		t.doRead()
	}
}

// close releases the socket and reports ConnectionLost. rst sends a reset
// instead of an orderly FIN. later defers ConnectionLost to the next loop
// iteration: used when close is triggered from inside protocol code, so a
// protocol is never re-entered (e.g. chat iterating over its clients).
func (t *Transport) close(reason error, rst, later bool) {
	if t.closed {
		return
	}
	t.closed = true
	fd := t.fd
	if t.linger != nil {
		t.linger.Cancel()
		t.linger = nil
	}
	if rst {
		// SO_LINGER with a zero timeout makes close(2) send RST and drop
		// any unsent data: the "abort" of a TCP connection.
		unix.SetsockoptLinger(fd, unix.SOL_SOCKET, unix.SO_LINGER, &unix.Linger{Onoff: 1, Linger: 0})
	}
	if t.reg.Active() {
		t.reg.Close() // deregister, then close(2): never the other way round
	} else {
		unix.Close(fd)
	}
	t.fd = -1
	t.ep.dequeue(t.BufferedBytes())
	t.out, t.off = nil, 0
	delete(t.ep.conns, t)
	t.ep.stats.open.Add(-1)
	t.ep.stats.closed.Add(1)
	if t.loop.Tracing() {
		t.loop.Trace(reactor.TraceEvent{Kind: reactor.KindClosed, Fd: int32(fd), Label: t.label, Text: ReasonText(reason)})
	}
	if !t.made {
		return // the protocol never started: nothing to tell it
	}
	notify := func() {
		if p := t.producer; p != nil {
			t.producer = nil
			p.StopProducing()
		}
		t.proto.ConnectionLost(reason)
	}
	if later {
		t.loop.CallSoon(notify)
	} else {
		notify()
	}
}

// LoseConnection closes the connection politely. What was written is
// flushed; then the peer is told this side has finished (shutdown
// SHUT_WR); then, if the peer has sent input the protocol did not read,
// the transport lingers — reading and discarding what the peer still
// sends — until the peer closes too or the linger timeout (WithLinger)
// passes, and only then closes the socket. Closing a socket with unread
// input makes the kernel reset the connection, and a reset destroys the
// reply still on its way to the peer (or waiting in its buffers); the
// lingering close, as nginx's lingering_close does, lets the whole reply
// arrive. A peer that sent nothing more is not waited for. The protocol
// gets no more DataReceived calls; ConnectionLost gets ErrConnectionDone.
func (t *Transport) LoseConnection() { t.loseConnection(ErrConnectionDone) }

func (t *Transport) loseConnection(reason error) {
	if t.closed || t.disconnecting {
		return
	}
	t.disconnecting = true
	t.lossReason = reason
	if t.BufferedBytes() == 0 {
		t.startLinger(true)
		return
	}
	t.setInterestOrClose(true)
}

// startLinger runs once a disconnecting transport has flushed everything:
// it shuts down writing, then lingers if the peer has sent input nobody
// read, or closes at once when there is nothing to wait for. later: the
// caller is protocol code, so the rest waits for the loop (settleLinger
// reads into the buffer a DataReceived caller may still be looking at).
func (t *Transport) startLinger(later bool) {
	if t.linger != nil {
		t.setInterestOrClose(later)
		return
	}
	if t.readEOF || t.ep.cfg.linger < 0 {
		t.close(t.lossReason, false, later)
		return
	}
	if !t.shutDone && t.shutdownWrite(later) != nil {
		return // closed with the error
	}
	if later {
		t.setInterestOrClose(true)
		t.loop.CallSoon(t.settleLinger)
		return
	}
	t.settleLinger()
}

// settleLinger decides, after the FIN has gone out, whether to wait for
// the peer: only if it sent input the protocol did not read. Otherwise
// there is nothing for a close to reset, and the transport closes now.
func (t *Transport) settleLinger() {
	if t.closed || t.linger != nil {
		return
	}
	switch eof, err := t.discardPending(); {
	case err != nil:
		t.close(err, false, false)
		return
	case eof || !t.discarded:
		t.close(t.lossReason, false, false)
		return
	}
	reason := t.lossReason
	t.linger = t.loop.CallLater(t.ep.cfg.linger, func() {
		t.linger = nil
		t.close(reason, false, false)
	})
	t.setInterestOrClose(false)
}

// Abort closes the connection at once, discarding pending output, and sends
// the peer a reset. ConnectionLost gets ErrAborted.
func (t *Transport) Abort() { t.close(ErrAborted, true, true) }

// CloseWrite half-closes the connection: pending output is flushed, then the
// peer sees end of input, while this side can go on reading.
func (t *Transport) CloseWrite() error {
	if t.closed || t.writeShut {
		return nil
	}
	t.writeShut = true
	if t.BufferedBytes() == 0 {
		return t.shutdownWrite(true)
	}
	return nil
}

// shutdownWrite sends FIN; if the peer has finished too, the connection is
// done.
func (t *Transport) shutdownWrite(later bool) error {
	t.shutDone = true
	if err := unix.Shutdown(t.fd, unix.SHUT_WR); err != nil {
		err = ioError("shutdown", err)
		t.close(err, false, later)
		return err
	}
	if t.readEOF {
		t.close(ErrConnectionDone, false, later)
	}
	return nil
}

// PauseReading stops reading from the socket until ResumeReading. The
// kernel buffers what arrives meanwhile and TCP flow control eventually
// slows the sender down.
func (t *Transport) PauseReading() {
	if t.closed || t.readPaused {
		return
	}
	t.readPaused = true
	t.traceText(reactor.KindPaused, "reading")
	t.setInterestOrClose(true)
}

// ResumeReading undoes PauseReading.
func (t *Transport) ResumeReading() {
	if t.closed || !t.readPaused {
		return
	}
	t.readPaused = false
	t.traceText(reactor.KindResumed, "reading")
	t.setInterestOrClose(true)
}

// drop resets the connection for a reason of the server's (a client too
// far behind, the output ceiling): queued output is discarded and
// ConnectionLost gets reason on the next pass.
func (t *Transport) drop(reason error) { t.close(reason, true, true) }

// refused counts and traces a connection its protocol turned away (a
// full chat room); the protocol says why to the client and closes it.
func (t *Transport) refused(reason string) {
	t.ep.stats.refused.Add(1)
	t.traceText(reactor.KindRefused, reason)
}

func (t *Transport) traceText(k reactor.Kind, text string) {
	if t.loop.Tracing() {
		t.loop.Trace(reactor.TraceEvent{Kind: k, Fd: int32(t.fd), Label: t.label, Text: text})
	}
}

// syscallErr wraps errno with the call name, as the rest of the lab does.
func syscallErr(call string, errno error) error { return os.NewSyscallError(call, errno) }
