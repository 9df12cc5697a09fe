package tcp

import (
	"bufio"
	"io"
	"strings"
	"testing"
)

// A chat client that sends a too-long line gets one error line and is
// disconnected; the others carry on.
func TestLineTooLong(t *testing.T) {
	loop := startLoop(t, "")
	room := &ChatRoom{MaxLine: 1024}
	ln := listen(t, loop, room.Factory())
	bad, a, b := dial(t, ln.Addr()), dial(t, ln.Addr()), dial(t, ln.Addr())
	ra, rb := bufio.NewReader(a), bufio.NewReader(b)
	readUntil := func(r *bufio.Reader, substr string) string {
		t.Helper()
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("reading for %q: %v", substr, err)
			}
			if strings.Contains(line, substr) {
				return line
			}
		}
	}
	readUntil(ra, b.LocalAddr().String()+" joined") // all three are in the room

	bad.Write([]byte(strings.Repeat("x", 5000) + "\n"))
	got, err := io.ReadAll(bad)
	if err != nil {
		t.Fatalf("the offender read %q, %v; want the error line then EOF", got, err)
	}
	lines := strings.Split(strings.TrimSuffix(string(got), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.Contains(last, "line too long") || !strings.Contains(last, "1024") {
		t.Errorf("last line to the offender = %q; want the line-too-long error naming 1024", last)
	}
	bad.Close()
	readUntil(rb, bad.LocalAddr().String()+" left")
	a.Write([]byte("still here\n"))
	if line := readUntil(rb, "still here"); !strings.HasPrefix(line, a.LocalAddr().String()+": ") {
		t.Errorf("broadcast = %q; want it prefixed with the sender", line)
	}
	// The offender closed in time, so its linger timer must be gone too.
	var pending int
	onLoop(loop, func() { pending = loop.PendingTimers() })
	if pending != 0 {
		t.Errorf("PendingTimers after the offender left = %d; want 0 (the linger timer is cancelled)", pending)
	}
}
