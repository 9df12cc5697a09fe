package lessons

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/reactorlab/reactorlab/reactor"
	"golang.org/x/sys/unix"
)

func TestRefusalText(t *testing.T) {
	fdset := reactor.TraceEvent{Kind: reactor.KindError, Fd: 1071, Label: "echo 127.0.0.1:42968",
		Text: "fd 1071: " + reactor.ErrFDSetSize.Error()}
	other := reactor.TraceEvent{Kind: reactor.KindRefused, Label: "echo", Text: "out of file descriptors"}
	ghost := reactor.TraceEvent{Kind: reactor.KindError, Fd: -1,
		Text: "epoll reported 1 event(s) for fds the loop does not watch: an fd was closed while registered and a dup keeps its file open (deregister before close); the set is not rebuilt, so they will keep coming"}
	closed := reactor.TraceEvent{Kind: reactor.KindError, Fd: 18, Label: "echo 127.0.0.1:41988",
		Text: "deregister fd 18 (echo 127.0.0.1:41988): " + reactor.ErrClosedWhileRegistered.Error() + ": fstat: bad file descriptor"}
	tests := []struct {
		ev     reactor.TraceEvent
		more   int
		prefix string
		has    string
	}{
		{fdset, 0, "select refused fd 1071 ≥ FD_SETSIZE: its fd sets", "poll or epoll"},
		{fdset, 3, "select refused fd 1071 ≥ FD_SETSIZE and 3 more: ", "poll or epoll"},
		{other, 0, "refused a connection: out of file descriptors (echo)", ""},
		{other, 2, "refused 3 connections: out of file descriptors", "(echo)"},
		{closed, 0, "fd 18 was closed while still registered: deregister first", "(echo 127.0.0.1:41988)"},
		{ghost, 0, "stale events: the kernel reports an fd closed while registered", "nothing takes it out"},
	}
	if !reworded(&closed) {
		t.Errorf("reworded(closed while registered) = false; want the driver's words (the point leads)")
	}
	for _, tt := range tests {
		got := refusalText(&tt.ev, tt.more)
		if !strings.HasPrefix(got, tt.prefix) || !strings.Contains(got, tt.has) {
			t.Errorf("refusalText(%q, %d) = %q; want prefix %q containing %q", tt.ev.Text, tt.more, got, tt.prefix, tt.has)
		}
	}
}

func TestIsRefusal(t *testing.T) {
	tests := []struct {
		ev   reactor.TraceEvent
		want bool
	}{
		{reactor.TraceEvent{Kind: reactor.KindRefused}, true},
		{reactor.TraceEvent{Kind: reactor.KindError, Text: "fd 1024: select: ..."}, true},
		{reactor.TraceEvent{Kind: reactor.KindError, Text: "switch to select refused: ..."}, false},
		{reactor.TraceEvent{Kind: reactor.KindStall}, false},
	}
	for _, tt := range tests {
		if got := isRefusal(&tt.ev); got != tt.want {
			t.Errorf("isRefusal(%v %q) = %v; want %v", tt.ev.Kind, tt.ev.Text, got, tt.want)
		}
	}
}

// TestDriverFDSetSizeRefusal fills this process's fd table up to 1023 so
// the next connection the server accepts lands on fd 1024: on select the
// server must refuse it with an error that names FD_SETSIZE, and after a
// live switch to poll the same thing must work.
func TestDriverFDSetSizeRefusal(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "select"})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.sync()
	base := d.Stats().Watched

	null, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(os.NewSyscallError("open", err))
	}
	var filler []int
	defer func() {
		for _, fd := range filler {
			unix.Close(fd)
		}
	}()
	filler = append(filler, null)
	for {
		fd, err := unix.Dup(null)
		if err != nil {
			t.Skipf("cannot fill the fd table to 1024: %v", os.NewSyscallError("dup", err))
		}
		filler = append(filler, fd)
		if fd >= 1020 {
			break
		}
	}
	d.AddClients(4, false) // client ends take 1021-1023; the server's end gets ≥ 1024

	var evs []reactor.TraceEvent
	var refusal error
	waitFor(t, "the select refusal on Errors()", func() bool {
		evs = sub.Drain(evs[:0]) // draining is what copies refusals to Errors
		select {
		case refusal = <-d.Errors():
			return true
		default:
			return false
		}
	})
	if !strings.Contains(refusal.Error(), "FD_SETSIZE") {
		t.Errorf("refusal = %q; want it to name FD_SETSIZE", refusal)
	}

	d.DropClients()
	d.SwitchBackend("poll")
	d.sync()
	if got := d.Backend(); got != "poll" {
		t.Fatalf("Backend() = %q after switching; want poll", got)
	}
	waitFor(t, "dropped clients to go", func() bool { return d.Stats().Watched == base })
	d.AddClients(4, false)
	waitFor(t, "clients past fd 1023 watched on poll", func() bool {
		sub.Drain(evs[:0])
		return d.Stats().Watched == base+4
	})
	high := 0
	for _, w := range d.Watched() {
		high = max(high, w.Fd)
	}
	if high < 1024 {
		t.Errorf("highest watched fd = %d; want ≥ 1024", high)
	}

	// Back to select is refused while those fds are open.
	d.SwitchBackend("select")
	d.sync()
	var refused error
	waitFor(t, "the switch refusal on Errors()", func() bool {
		select {
		case err := <-d.Errors():
			if strings.HasPrefix(err.Error(), "select cannot take fds ≥ 1024, so the loop stays on poll") {
				refused = err
			}
		default:
		}
		return refused != nil
	})
	if !errors.Is(refused, reactor.ErrFDSetSize) || d.Backend() != "poll" {
		t.Errorf("switch back to select: err %v, Backend() %q; want ErrFDSetSize and still poll", refused, d.Backend())
	}
}

// The screen shows every KindError in the
// trace itself, as "label: text". Copying such an error to Errors too,
// worded the same way, made one error read "(×2)" on screen (the error
// line counts repeats). Only a refusal the driver rewords (FD_SETSIZE)
// belongs on Errors.
func TestPlainTraceErrorNotCopied(t *testing.T) {
	checkNoLeaks(t)
	d := startScenario(t, Scenario{Backend: "poll"})
	sub := d.Subscribe(1 << 12)
	defer sub.Close()
	d.post(func() {
		d.loop.Trace(reactor.TraceEvent{Kind: reactor.KindError, Label: "unhandled failure in Deferred", Text: "Unhandled failure in Deferred #7"})
	})
	var evs []reactor.TraceEvent
	waitFor(t, "the error in the trace", func() bool {
		evs = sub.Drain(evs[:0])
		for _, ev := range evs {
			if ev.Kind == reactor.KindError {
				return true
			}
		}
		return false
	})
	select {
	case err := <-d.Errors():
		t.Errorf("Errors() = %q; want nothing: the screen already shows this trace error", err)
	default:
	}
}
