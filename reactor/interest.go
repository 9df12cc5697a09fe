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

// Ready is what the kernel reported for an fd.
type Ready uint8

// Ready bits.
const (
	In     Ready = 1 << iota // readable (POLLIN / EPOLLIN / fd in the read set)
	Out                      // writable
	HangUp                   // POLLHUP / EPOLLHUP / EPOLLRDHUP
	Err                      // POLLERR / EPOLLERR / POLLNVAL
)

var readyNames = [...]string{"in", "out", "hup", "err"}

// String renders readiness as e.g. "in|hup"; "none" when empty.
func (r Ready) String() string {
	if r == 0 {
		return "none"
	}
	var b [20]byte
	n := 0
	for i, name := range readyNames {
		if r&(1<<i) == 0 {
			continue
		}
		if n > 0 {
			b[n] = '|'
			n++
		}
		n += copy(b[n:], name)
	}
	return string(b[:n])
}

// glyphTable holds every 4-cell rendering so Glyphs never allocates.
var glyphTable = func() (t [16]string) {
	for r := range 16 {
		c := []byte("....")
		for i, g := range "IOHE" {
			if r&(1<<i) != 0 {
				c[i] = byte(g)
			}
		}
		t[r] = string(c)
	}
	return t
}()

// Glyphs renders readiness as a fixed 4-character cell, "I..." / "IO.." / "I.H.".
func (r Ready) Glyphs() string { return glyphTable[r&0xf] }

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
