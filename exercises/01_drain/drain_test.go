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

	"golang.org/x/sys/unix"
)

// Failure messages end with revisit (lesson_gen_test.go, generated from
// README.md's front matter): the lesson to read again.

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

// drain calls Drain in a goroutine so a Drain that never returns (or blocks)
// fails the test with an explanation instead of hanging it.
func drain(t *testing.T, fd int) drainResult {
	t.Helper()
	done := make(chan drainResult, 1)
	go func() {
		got, out, err := Drain(fd, nil)
		done <- drainResult{got, out, err}
	}()
	select {
	case res := <-done:
		return res
	case <-time.After(3 * time.Second):
		t.Fatalf("Drain did not return within 3s.\n\tExpected: Drain stops at the first EAGAIN (\"nothing more for now\") or at a 0-byte read (\"peer closed\").\n\tHappened: it is still running — a loop that retries after EAGAIN spins forever, because a non-blocking read never waits.%s", revisit)
	}
	return drainResult{}
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
			res := drain(t, r.fd)
			if res.err != nil {
				t.Fatalf("Drain(fd, nil) returned error %v.\n\tExpected: no error — EAGAIN and a 0-byte read are normal endings, not errors.%s", res.err, revisit)
			}
			if !bytes.Equal(res.got, tc.send) {
				t.Errorf("Drain(fd, nil) returned %s; want all %s the peer sent.\n\tA single read returns at most ChunkSize bytes: keep reading until EAGAIN or end of file.%s",
					describe(res.got), describe(tc.send), revisit)
			}
			if res.out != tc.want {
				t.Errorf("Drain(fd, nil) outcome = %v; want %v.\n\tEAGAIN means MoreLater (still open, empty for now); a 0-byte read means PeerClosed.%s", res.out, tc.want, revisit)
			}
		})
	}
}

// Drain appends to dst instead of replacing it, like the built-in append.
func TestDrainAppends(t *testing.T) {
	r, w := pair(t)
	fill(t, w, []byte("world"))
	got, out, err := Drain(r.fd, []byte("hello "))
	if err != nil || out != MoreLater || string(got) != "hello world" {
		t.Fatalf("Drain(fd, %q) = %q, %v, %v; want %q, MoreLater, <nil>.\n\tAppend what you read to dst; don't start a new slice.%s",
			"hello ", got, out, err, "hello world", revisit)
	}
}

// Drain leaves the fd open: the caller owns it and may read from it again.
func TestDrainLeavesFdOpen(t *testing.T) {
	r, w := pair(t)
	fill(t, w, []byte("first"))
	if res := drain(t, r.fd); res.err != nil || string(res.got) != "first" {
		t.Fatalf("first Drain = %q, %v; want %q, <nil>.%s", res.got, res.err, "first", revisit)
	}
	fill(t, w, []byte("second"))
	res := drain(t, r.fd)
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
	res := drain(t, bad)
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
		res := drain(t, r.fd)
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
