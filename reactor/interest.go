package reactor

// Interest is what a registration waits for.
type Interest uint8

// Interest bits.
const (
	Readable      Interest = 1 << iota // wait until a read would not block
	Writable                           // wait until a write would not block
	EdgeTriggered                      // epoll only: report transitions, not levels
	OneShot                            // epoll only: disarm after one event (EPOLLONESHOT)
)

// String renders an interest as "r", "w", "rw", "rw|et", "r|oneshot".
func (i Interest) String() string {
	var b [16]byte
	n := 0
	if i&Readable != 0 {
		b[n] = 'r'
		n++
	}
	if i&Writable != 0 {
		b[n] = 'w'
		n++
	}
	if n == 0 {
		b[n] = '-'
		n++
	}
	if i&EdgeTriggered != 0 {
		n += copy(b[n:], "|et")
	}
	if i&OneShot != 0 {
		n += copy(b[n:], "|oneshot")
	}
	return string(b[:n])
}

// mode returns only the mode bits (EdgeTriggered, OneShot).
func (i Interest) mode() Interest { return i & (EdgeTriggered | OneShot) }

// Ready is what the kernel reported for an fd, in the same terms on every
// backend (the conformance table checks it case by case):
//
//	In           a read would not block: data, end of file, or an error to collect
//	Out          a write would not block: room, or an error to collect
//	ReadClosed   the peer has finished sending: once the data already here is
//	             read, read returns 0 (EPOLLRDHUP, POLLRDHUP, or a full hang-up)
//	WriteClosed  nothing more can be sent: writes fail (EPOLLHUP/POLLHUP, or an
//	             error on an fd that cannot be read, like a pipe whose reader left)
//	Err          an error is pending on the fd (EPOLLERR, POLLERR, POLLNVAL)
//
// After the peer's shutdown(SHUT_WR) — a half-close — an fd reports
// In|ReadClosed and nothing else: the connection can still be written, so
// a handler must not treat ReadClosed as "the connection is gone". Only
// HangUp (both bits) means neither direction is left.
type Ready uint8

// Ready bits.
const (
	In          Ready = 1 << iota // readable, at end of file, or in error
	Out                           // writable, or in error
	ReadClosed                    // the peer sends no more (FIN seen, or a full hang-up)
	Err                           // an error is pending (EPOLLERR / POLLERR / POLLNVAL)
	WriteClosed                   // this side can send no more (hang-up, or an error on a write-only fd)

	// HangUp is both directions closed (EPOLLHUP / POLLHUP). Test it with
	// r&HangUp == HangUp; r&HangUp != 0 means "one side or both".
	HangUp = ReadClosed | WriteClosed

	// Invalid says the kernel found no open fd under this number at all
	// (poll's POLLNVAL, select's EBADF): it was closed while registered.
	// It always comes with Err. Handlers are told Err only; the bit
	// travels in the trace (KindReady, KindStaleDropped) so a screen can
	// tell "not open" from an ordinary error.
	Invalid Ready = 1 << 7
)

// readyOf turns one kernel report into Ready, the same way for every
// backend. rd, wr, rdhup, hup and err are what the kernel said (EPOLLIN or
// POLLIN or "in select's read set", and so on); in is what the fd is
// registered for. In and Out follow select(2)'s own definition, which is
// the oldest: readable means IN, HUP or ERR; writable means OUT or ERR.
// The closed bits follow mio's is_read_closed / is_write_closed.
func readyOf(in Interest, rd, wr, rdhup, hup, err bool) Ready {
	var r Ready
	if in&Readable != 0 && (rd || hup || err) {
		r |= In
	}
	if in&Writable != 0 && (wr || err) {
		r |= Out
	}
	if rdhup || hup {
		r |= ReadClosed
	}
	if hup || err && (wr || !rd) {
		r |= WriteClosed
	}
	if err {
		r |= Err
	}
	return r
}

// String renders readiness as e.g. "in|read-closed", "in|out|hup|err",
// "err|nval"; "none" when empty. Both closed bits together print as "hup".
func (r Ready) String() string {
	if r == 0 {
		return "none"
	}
	var b [40]byte
	n := 0
	add := func(s string) {
		if n > 0 {
			b[n] = '|'
			n++
		}
		n += copy(b[n:], s)
	}
	if r&In != 0 {
		add("in")
	}
	if r&Out != 0 {
		add("out")
	}
	switch r & HangUp {
	case HangUp:
		add("hup")
	case ReadClosed:
		add("read-closed")
	case WriteClosed:
		add("write-closed")
	}
	if r&Err != 0 {
		add("err")
	}
	if r&Invalid != 0 {
		add("nval")
	}
	return string(b[:n])
}

// glyphTable holds every 4-cell rendering so Glyphs never allocates.
var glyphTable = func() (t [32]string) {
	for i := range t {
		r := Ready(i)
		c := []byte("....")
		if r&In != 0 {
			c[0] = 'I'
		}
		if r&Out != 0 {
			c[1] = 'O'
		}
		switch r & HangUp {
		case HangUp:
			c[2] = 'H'
		case ReadClosed:
			c[2] = 'R'
		case WriteClosed:
			c[2] = 'W'
		}
		if r&Err != 0 {
			c[3] = 'E'
		}
		t[i] = string(c)
	}
	return t
}()

// Glyphs renders readiness as a fixed 4-character cell: "I...", "IO..",
// "I.R." (read side closed), "I.H." (hang-up), "IOHE".
func (r Ready) Glyphs() string { return glyphTable[r&0x1f] }

// Token identifies one registration: fd in the low 32 bits, generation in the high 32.
type Token uint64

// MakeToken packs an fd and a generation.
func MakeToken(fd int, gen uint32) Token { return Token(uint64(gen)<<32 | uint64(uint32(fd))) }

// Fd returns the fd part of the token.
func (t Token) Fd() int { return int(uint32(t)) }

// Gen returns the registration generation.
func (t Token) Gen() uint32 { return uint32(t >> 32) }

// Event is one readiness report from a Poller.
type Event struct {
	Fd    int
	Token Token
	Ready Ready
}
