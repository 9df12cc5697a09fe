package drain

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// pair returns both ends of a non-blocking Unix stream socketpair. The test
// reads from r (what Drain gets) and writes to w (the peer). Both are closed
// when the test ends unless the test closed them itself.
func pair(t *testing.T) (r, w *end) {
	t.Helper()
	fds, err := nonblockingPair()
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	r, w = &end{fd: fds[0]}, &end{fd: fds[1]}
	t.Cleanup(func() { r.close(); w.close() })
	return r, w
}

// end is one side of a socketpair that remembers whether it was closed, so
// cleanup never closes an fd number twice.
type end struct {
	fd   int
	once sync.Once
}

func (e *end) close() { e.once.Do(func() { unix.Close(e.fd) }) }

// fill writes data to the peer, which must fit in the socket buffers.
func fill(t *testing.T, w *end, data []byte) {
	t.Helper()
	for len(data) > 0 {
		n, err := unix.Write(w.fd, data)
		if err != nil {
			t.Fatalf("test setup: write to peer: %v", err)
		}
		data = data[n:]
	}
}

// pattern returns n bytes that are easy to check: a seeded random sequence.
func pattern(seed uint64, n int) []byte {
	rng := rand.New(rand.NewPCG(seed, 1))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(rng.IntN(256))
	}
	return b
}

type drainResult struct {
	got []byte
	out Outcome
	err error
}

// drain calls Drain(fd, dst) through the guard, so a Drain that spins,
// blocks or waits fails the test within seconds with a message saying which,
// instead of hanging it.
func drain(t *testing.T, fd int, dst []byte) drainResult {
	t.Helper()
	var res drainResult
	call := "Drain(fd, nil)"
	if dst != nil {
		call = fmt.Sprintf("Drain(fd, %q)", dst)
	}
	if stuck := guard.Run(t, call, func() { res.got, res.out, res.err = Drain(fd, dst) }); stuck != nil {
		t.Fatalf("%v.\n\tExpected: Drain returns at the first EAGAIN (MoreLater) or at a 0-byte read (PeerClosed).\n\t%s%s", stuck, whyStuck(stuck, fd), revisit)
	}
	return res
}

// whyStuck explains a Drain that did not return, from how it is stuck and
// the state of fd.
func whyStuck(s *guard.Stuck, fd int) string {
	switch {
	case s.Kind == guard.Spinning && atEOF(fd):
		return "The peer has closed: read(2) returns 0 bytes on every call from now on, and a loop that treats 0 as \"nothing yet, try again\" never ends. A 0-byte read means PeerClosed: return."
	case s.Kind == guard.Spinning:
		return "A loop that retries after EAGAIN spins forever: a non-blocking read never waits, it answers EAGAIN again and again. At EAGAIN, return MoreLater; waiting for more is the reactor's job, for every fd at once."
	case isOpen(fd) && !isNonblocking(fd):
		return "The fd is in blocking mode now (O_NONBLOCK is off), so read(2) waits for bytes that never come. Leave the fd's mode alone: it belongs to the caller, and every fd a reactor watches stays non-blocking."
	case s.Kind == guard.Blocked:
		return fmt.Sprintf("Drain is waiting in %s. It must never wait: at EAGAIN it returns MoreLater, and the reactor waits for readiness, for every fd at once.", orElse(s.Where, "a system call"))
	case s.Kind == guard.Waiting:
		return "Drain waits for a channel or a lock that nothing will release. It needs neither: read in a loop on the calling goroutine, and return."
	case s.Kind == guard.Sleeping:
		return "Drain sleeps. It must never wait for data to arrive: at EAGAIN, return MoreLater."
	}
	return "Drain must return at once: read until EAGAIN or a 0-byte read, never wait."
}

func orElse(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// atEOF reports whether fd's peer has closed and nothing is left to read,
// without consuming anything (MSG_PEEK) and without waiting (MSG_DONTWAIT).
func atEOF(fd int) bool {
	var b [1]byte
	n, _, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	return err == nil && n == 0
}

// isNonblocking reports whether fd still has O_NONBLOCK set.
func isNonblocking(fd int) bool {
	fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0)
	return err == nil && fl&unix.O_NONBLOCK != 0
}

// isOpen reports whether fd is an open descriptor.
func isOpen(fd int) bool {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
	return err == nil
}

// identity names the open file behind fd, so a test can tell "still the same
// socket" from "closed" and from "closed, and the number reused".
type identity struct{ dev, ino uint64 }

func identify(t *testing.T, fd int) identity {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		t.Fatalf("test setup: fstat(%d): %v", fd, err)
	}
	return identity{uint64(st.Dev), uint64(st.Ino)}
}

// checkStillOpen fails the test if Drain closed e's fd, which was id before
// the call.
func checkStillOpen(t *testing.T, e *end, id identity, res drainResult) {
	t.Helper()
	var st unix.Stat_t
	err := unix.Fstat(e.fd, &st)
	if err == nil && (identity{uint64(st.Dev), uint64(st.Ino)}) == id {
		return
	}
	e.once.Do(func() {}) // it is not ours to close any more
	how := "fstat says EBADF"
	if err == nil {
		how = "its number now names another file"
	}
	t.Errorf("Drain closed fd %d: it returned %v, and then the fd was gone (%s).\n\tExpected: the fd still open. It belongs to the caller, who must first stop watching it (remove it from its poller) and then close it; closed inside Drain, the caller is left holding a number that may already belong to a new connection.%s",
		e.fd, res.out, how, revisit)
}

// diagnose says how the bytes Drain returned differ from what the peer sent.
func diagnose(got, want []byte) string {
	switch {
	case len(got) > len(want) && len(got)%ChunkSize == 0:
		return "That is a whole number of ChunkSize chunks: append chunk[:n], the n bytes this read filled, not the whole chunk buffer."
	case len(got) > len(want):
		return "That is more than the peer sent: append only the n bytes each read returned (chunk[:n])."
	case bytes.HasPrefix(want, got):
		return "That is only the beginning: a read returns at most ChunkSize bytes, and a short read does not mean the socket is empty. Keep reading until EAGAIN or a 0-byte read."
	}
	return fmt.Sprintf("They differ from byte %d on: append each read's chunk[:n] to dst, in order.", firstDiff(got, want))
}

func describe(b []byte) string {
	if len(b) <= 16 {
		return fmt.Sprintf("%d bytes %q", len(b), b)
	}
	return fmt.Sprintf("%d bytes", len(b))
}

func TestDrain(t *testing.T) {
	tests := []struct {
		name      string
		send      []byte // written by the peer before Drain runs
		closePeer bool   // peer closes after sending
		want      Outcome
	}{
		{name: "nothing to read yet", send: nil, want: MoreLater},
		{name: "a short message", send: []byte("hello, reactor\n"), want: MoreLater},
		{name: "exactly one chunk", send: pattern(1, ChunkSize), want: MoreLater},
		{name: "many chunks (one read is not enough)", send: pattern(2, 40*ChunkSize+17), want: MoreLater},
		{name: "peer closed with nothing sent", send: nil, closePeer: true, want: PeerClosed},
		{name: "a message, then the peer closed", send: []byte("bye\n"), closePeer: true, want: PeerClosed},
		{name: "many chunks, then the peer closed", send: pattern(3, 25*ChunkSize+5), closePeer: true, want: PeerClosed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, w := pair(t)
			fill(t, w, tc.send)
			if tc.closePeer {
				w.close()
			}
			id := identify(t, r.fd)
			res := drain(t, r.fd, nil)
			if res.err != nil {
				t.Fatalf("Drain(fd, nil) returned error %v.\n\tExpected: no error — EAGAIN and a 0-byte read are normal endings, not errors.%s", res.err, revisit)
			}
			if !bytes.Equal(res.got, tc.send) {
				t.Errorf("Drain(fd, nil) returned %s; want the %s the peer sent.\n\t%s%s",
					describe(res.got), describe(tc.send), diagnose(res.got, tc.send), revisit)
			}
			if res.out != tc.want {
				t.Errorf("Drain(fd, nil) outcome = %v; want %v.\n\tEAGAIN means MoreLater (still open, empty for now); a 0-byte read means PeerClosed.%s", res.out, tc.want, revisit)
			}
			checkStillOpen(t, r, id, res)
		})
	}
}

// Drain appends to dst instead of replacing it, like the built-in append.
func TestDrainAppends(t *testing.T) {
	r, w := pair(t)
	fill(t, w, []byte("world"))
	res := drain(t, r.fd, []byte("hello "))
	want := []byte("hello world")
	switch {
	case res.err != nil || res.out != MoreLater:
		t.Fatalf("Drain(fd, %q) = %v, %v; want MoreLater, <nil>.%s", "hello ", res.out, res.err, revisit)
	case bytes.Equal(res.got, want):
	case bytes.HasSuffix(want, res.got):
		t.Fatalf("Drain(fd, %q) returned %s; want %s.\n\tAppend what you read to dst; don't start a new slice.%s", "hello ", describe(res.got), describe(want), revisit)
	case !bytes.Equal(res.got, want):
		t.Fatalf("Drain(fd, %q) returned %s; want %s.\n\t%s%s", "hello ", describe(res.got), describe(want), diagnose(res.got, want), revisit)
	}
}

// Drain leaves the fd open: the caller owns it and may read from it again.
func TestDrainLeavesFdOpen(t *testing.T) {
	r, w := pair(t)
	fill(t, w, []byte("first"))
	id := identify(t, r.fd)
	res := drain(t, r.fd, nil)
	if res.err != nil || string(res.got) != "first" {
		t.Fatalf("first Drain = %q, %v; want %q, <nil>.%s", res.got, res.err, "first", revisit)
	}
	if checkStillOpen(t, r, id, res); t.Failed() {
		return
	}
	fill(t, w, []byte("second"))
	res = drain(t, r.fd, nil)
	if res.err != nil || string(res.got) != "second" || res.out != MoreLater {
		t.Fatalf("second Drain on the same fd = %q, %v, %v; want %q, MoreLater, <nil>.\n\tDrain must not close fd or remember old data between calls.%s",
			res.got, res.out, res.err, "second", revisit)
	}
}

// A real error is returned wrapped in *os.SyscallError naming "read".
func TestDrainWrapsErrors(t *testing.T) {
	r, _ := pair(t)
	bad := r.fd
	r.close() // now fd is closed: read(2) fails with EBADF
	res := drain(t, bad, nil)
	if res.err == nil {
		t.Fatalf("Drain on a closed fd returned %v with no error; want an error wrapping EBADF.%s", res.out, revisit)
	}
	if !errors.Is(res.err, unix.EBADF) {
		t.Errorf("Drain on a closed fd: errors.Is(err, unix.EBADF) = false for err = %v; want true.\n\tReturn the errno from unix.Read (wrapped), don't replace it.%s", res.err, revisit)
	}
	var se *os.SyscallError
	if !errors.As(res.err, &se) || se.Syscall != "read" {
		t.Errorf("Drain on a closed fd: err = %v (%T); want an *os.SyscallError for \"read\".\n\tWrap it with os.NewSyscallError(\"read\", err).%s", res.err, res.err, revisit)
	}
}

// A writer in another goroutine sends chunks with seeded random pauses, then
// closes. Draining each time poll(2) says the fd is readable must collect
// every byte in order and end with PeerClosed. The seed is printed so a
// failure reproduces.
func TestDrainWithSlowWriter(t *testing.T) {
	const seed = 7
	rng := rand.New(rand.NewPCG(seed, 2))
	r, w := pair(t)
	want := pattern(seed, 30*ChunkSize)
	var sizes []int
	var pauses []time.Duration
	for left := len(want); left > 0; {
		n := min(left, 1+rng.IntN(3*ChunkSize))
		sizes = append(sizes, n)
		pauses = append(pauses, time.Duration(rng.IntN(1500))*time.Microsecond)
		left -= n
	}
	writerDone := make(chan struct{})
	t.Cleanup(func() { r.close(); <-writerDone }) // runs first: the writer sees EPIPE and stops
	go func() {
		defer close(writerDone)
		data := want
		for i, n := range sizes {
			time.Sleep(pauses[i]) // jitter only: the reader synchronises with poll(2)
			chunk := data[:n]
			data = data[n:]
			for len(chunk) > 0 {
				m, err := unix.Write(w.fd, chunk)
				if err == unix.EAGAIN || err == unix.EINTR {
					pfd := []unix.PollFd{{Fd: int32(w.fd), Events: unix.POLLOUT}}
					unix.Poll(pfd, 100)
					continue
				}
				if err != nil {
					break
				}
				chunk = chunk[m:]
			}
		}
		w.close()
	}()

	var got []byte
	empty := 0
	deadline := time.Now().Add(4 * time.Second)
	for calls := 1; ; calls++ {
		pfd := []unix.PollFd{{Fd: int32(r.fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(pfd, 100); err != nil && err != unix.EINTR {
			t.Fatalf("poll: %v", err)
		}
		if pfd[0].Revents == 0 {
			if time.Now().After(deadline) {
				t.Fatalf("(seed %d) after %d Drain calls got %d of %d bytes and no PeerClosed within 4s.%s", seed, calls, len(got), len(want), revisit)
			}
			continue
		}
		res := drain(t, r.fd, nil)
		got = append(got, res.got...)
		if res.err != nil {
			t.Fatalf("(seed %d) Drain call %d returned error %v; want none.%s", seed, calls, res.err, revisit)
		}
		if res.out == PeerClosed {
			break
		}
		if res.out != MoreLater {
			t.Fatalf("(seed %d) Drain call %d outcome = %v; want MoreLater or PeerClosed.%s", seed, calls, res.out, revisit)
		}
		// poll said "readable" yet Drain read nothing and says MoreLater:
		// harmless once in a while, but over and over it means the fd is at
		// end of file and Drain is not noticing.
		if len(res.got) == 0 {
			empty++
		} else {
			empty = 0
		}
		if empty >= 20 {
			t.Fatalf("(seed %d) poll reported the fd readable %d times in a row, and each time Drain read nothing and said MoreLater.\n\tExpected: PeerClosed — after the writer closes, read(2) returns 0 bytes, and a readable fd that reads 0 bytes is at end of file.%s", seed, empty, revisit)
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("(seed %d) collected %d bytes; want the %d bytes the writer sent, in order (first difference at byte %d).%s",
			seed, len(got), len(want), firstDiff(got, want), revisit)
	}
}

func firstDiff(a, b []byte) int {
	for i := range min(len(a), len(b)) {
		if a[i] != b[i] {
			return i
		}
	}
	return min(len(a), len(b))
}

// nonblockingPair returns a connected Unix stream socketpair with both ends
// non-blocking. (SOCK_NONBLOCK is Linux-only, so set the flag afterwards to
// keep the tests portable to macOS.)
func nonblockingPair() ([2]int, error) {
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		return fds, err
	}
	for _, fd := range fds {
		unix.CloseOnExec(fd)
		if err := unix.SetNonblock(fd, true); err != nil {
			unix.Close(fds[0])
			unix.Close(fds[1])
			return fds, err
		}
	}
	return fds, nil
}
