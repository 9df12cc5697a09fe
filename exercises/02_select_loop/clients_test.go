package selectloop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Clients write from their own goroutines with seeded random chunk sizes and
// pauses, then hang up. Running passes until nobody is left must deliver
// every client's bytes, in order, and close everyone.
func TestPassConcurrentClients(t *testing.T) {
	const seed, n = 21, 5
	s, _, clients := setup(t, n, seed)
	got := map[int][]byte{}
	closed := map[int]bool{}
	s.OnData = func(fd int, b []byte) { got[fd] = append(got[fd], b...) }
	s.OnClose = func(fd int) { closed[fd] = true }

	want := make([][]byte, n)
	var wg sync.WaitGroup
	for i, c := range clients {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		for range 15 {
			want[i] = fmt.Appendf(want[i], "%d:%s|", i, strings.Repeat("x", rng.IntN(2000)))
		}
		pauses := make([]time.Duration, 15)
		for j := range pauses {
			pauses[j] = time.Duration(rng.IntN(800)) * time.Microsecond
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			data := want[i]
			for j := 0; len(data) > 0; j++ {
				time.Sleep(pauses[j%len(pauses)]) // jitter only; the server synchronises with select
				k := min(len(data), 1+len(data)/(15-min(j, 14)))
				for chunk := data[:k]; len(chunk) > 0; {
					m, err := unix.Write(c.peer, chunk)
					if err == unix.EAGAIN || err == unix.EINTR {
						unix.Poll([]unix.PollFd{{Fd: int32(c.peer), Events: unix.POLLOUT}}, 50)
						continue
					}
					if err != nil {
						return
					}
					chunk = chunk[m:]
				}
				data = data[k:]
			}
			unix.Shutdown(c.peer, unix.SHUT_WR)
		}()
	}
	defer wg.Wait()

	// Run passes until everyone is gone. Once every writer has finished,
	// all remaining data and hang-ups are already in the sockets, so a few
	// passes in a row with no callback at all mean the loop is missing
	// someone: stop early instead of waiting out the deadline.
	writersDone := make(chan struct{})
	go func() { wg.Wait(); close(writersDone) }()
	deadline := time.Now().Add(3 * time.Second)
	idle := 0
	for len(s.Clients()) > 0 && time.Now().Before(deadline) && idle < 5 {
		before := callbacks(got, closed)
		if _, err := pass(t, s, 50*time.Millisecond); err != nil {
			t.Fatalf("(seed %d) Pass returned error %v; want nil.%s", seed, err, revisit)
		}
		select {
		case <-writersDone:
			if callbacks(got, closed) == before {
				idle++
			} else {
				idle = 0
			}
		default:
		}
	}
	for i, c := range clients {
		if !bytes.Equal(got[c.server], want[i]) {
			t.Errorf("(seed %d) %v: received %d bytes; want the %d bytes it sent, in order.%s", seed, c, len(got[c.server]), len(want[i]), revisit)
		}
		if !closed[c.server] {
			t.Errorf("(seed %d) %v hung up but OnClose was never called (still watching: %v).%s", seed, c, s.Clients(), revisit)
		}
	}
}

// An fd select cannot hold is refused up front, with a message that names
// the limit.
func TestAddRefusesLargeFd(t *testing.T) {
	var s Server
	err := s.Add(unix.FD_SETSIZE)
	if err == nil || !strings.Contains(err.Error(), "FD_SETSIZE") {
		t.Fatalf("Add(%d) = %v; want an error naming FD_SETSIZE.%s", unix.FD_SETSIZE, err, revisit)
	}
}

// callbacks sums what the server has reported so far, to tell a pass that
// did something from one that did nothing.
func callbacks(got map[int][]byte, closed map[int]bool) int {
	n := len(closed)
	for _, b := range got {
		n += len(b)
	}
	return n
}
