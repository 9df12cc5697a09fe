package reservefd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/reactorlab/reactorlab/exercises/internal/guard"
	"golang.org/x/sys/unix"
)

// Every failure message ends with revisit (lesson_gen_test.go, generated
// from README.md's front matter): where to read again.

// The tests fill the fd table by lowering RLIMIT_NOFILE — never in the test
// process itself (go test and every other test share it), but in a child:
// this same test binary, run again with childEnv naming a scenario, where
// TestAcceptAllInChild plays it and prints a report the parent judges.

// childEnv names the scenario a child process plays.
const childEnv = "REACTORLAB_RESERVEFD_CHILD"

// reportMarker starts the line that carries the child's report.
const reportMarker = "reservefd-report: "

// passLimit is how many passes a phase runs with the listener readable
// before the child calls it a spin: a correct loop needs one or two.
const passLimit = 50

// report is what a child process saw, for the parent to judge.
type report struct {
	Limit  uint64  // the soft RLIMIT_NOFILE the child set (0: not lowered)
	Phases []phase // in order
	Setup  string  // a failure of the test's own setup, not of AcceptAll
}

// phase is one part of a scenario: some clients queued, then passes of the
// loop (poll on the listener, AcceptAll when it is readable) until it goes
// idle, AcceptAll returns an error, or passLimit passes.
type phase struct {
	Name      string
	Queued    int    // clients connected (waiting in the listen queue) before the phase
	Calls     []call // each AcceptAll call, in order
	Spun      bool   // still readable after passLimit passes
	Stuck     *stuck // AcceptAll did not return
	Reserve   string // what a.reserve was after the phase: "open", "spent" (-1), or what it named instead
	ReserveFd int
	Refused   int // clients whose connection the server closed (they read end of file)
	Accepted  int // OnAccept calls
	Blocking  int // accepted fds in blocking mode
	Idle      bool
}

// call is what one AcceptAll call returned.
type call struct {
	Accepted, Refused int
	Err               string
	EMFILE            bool // the error wraps EMFILE or ENFILE
}

// stuck describes an AcceptAll that did not return.
type stuck struct {
	Text  string
	Kind  guard.Kind
	Where string
}

// earlierStuck names the scenario of the first child in which AcceptAll
// never returned. Like the guard, later tests then skip: fix that one first.
var earlierStuck string

// runChild runs scenario in a child process and returns its report.
func runChild(t *testing.T, scenario string) report {
	t.Helper()
	if earlierStuck != "" {
		t.Skipf("not run: AcceptAll never returned in an earlier test (%s); fix that one first", earlierStuck)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestAcceptAllInChild$", "-test.timeout=25s")
	cmd.Env = append(os.Environ(), childEnv+"="+scenario)
	out, err := cmd.CombinedOutput()
	for line := range bytes.Lines(out) {
		if rest, ok := bytes.CutPrefix(line, []byte(reportMarker)); ok {
			var rep report
			if jerr := json.Unmarshal(rest, &rep); jerr != nil {
				t.Fatalf("test setup: the child's report does not parse: %v\n%s", jerr, rest)
			}
			if rep.Setup != "" {
				t.Fatalf("test setup failed in the child process: %s", rep.Setup)
			}
			for _, ph := range rep.Phases {
				if ph.Stuck != nil {
					earlierStuck = fmt.Sprintf("%s, phase %q", t.Name(), ph.Name)
				}
			}
			return rep
		}
	}
	t.Fatalf("the child process that plays %q with a lowered fd limit ended without a report (%v). What it printed:\n%s%s", scenario, err, lastLines(out, 30), revisit)
	return report{}
}

func lastLines(b []byte, n int) string {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// child is the state of a scenario in the child process.
type child struct {
	t       *testing.T
	rep     *report
	lfd     int
	port    int
	a       *Acceptor
	clients []int // client sockets of the current phase
}

// listen opens a non-blocking TCP listener on 127.0.0.1, port 0.
func (c *child) listen() error {
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		return fmt.Errorf("socket: %w", err)
	}
	unix.CloseOnExec(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fmt.Errorf("bind: %w", err)
	}
	if err := unix.Listen(lfd, 64); err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		return fmt.Errorf("getsockname: %w", err)
	}
	if err := unix.SetNonblock(lfd, true); err != nil {
		return err
	}
	c.lfd, c.port = lfd, sa.(*unix.SockaddrInet4).Port
	return nil
}

// newAcceptor calls NewAcceptor through the guard.
func (c *child) newAcceptor() error {
	var err error
	if s := guard.Run(c.t, "NewAcceptor(lfd)", func() { c.a, err = NewAcceptor(c.lfd) }); s != nil {
		return fmt.Errorf("NewAcceptor did not return: %v", s)
	}
	if err != nil {
		return fmt.Errorf("NewAcceptor: %w", err)
	}
	c.a.OnAccept = func(int) {}
	return nil
}

// sockets opens n TCP sockets, not yet connected (so that they exist before
// the table is full).
func (c *child) sockets(n int) ([]int, error) {
	var fds []int
	for range n {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
		if err != nil {
			return nil, fmt.Errorf("socket: %w", err)
		}
		unix.CloseOnExec(fd)
		fds = append(fds, fd)
	}
	return fds, nil
}

// connect connects fds to the listener; each connection completes in the
// kernel and waits in the listen queue until accepted. It makes them the
// current phase's clients.
func (c *child) connect(fds []int) error {
	for _, fd := range fds {
		if err := unix.Connect(fd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}, Port: c.port}); err != nil {
			return fmt.Errorf("connect: %w", err)
		}
		if err := unix.SetNonblock(fd, true); err != nil {
			return err
		}
	}
	c.clients = fds
	return nil
}

// fillTable lowers the soft RLIMIT_NOFILE to the lowest free fd number, so
// that every number below the limit is in use: the next fd anyone asks for
// fails with EMFILE.
func (c *child) fillTable() error {
	// Timers and the runtime's poller must exist before the table is full:
	// the guard needs them.
	time.NewTimer(time.Hour).Stop()
	probe, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/null: %w", err)
	}
	unix.Close(probe)
	var lim unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("getrlimit: %w", err)
	}
	lim.Cur = uint64(probe)
	if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &lim); err != nil {
		return fmt.Errorf("setrlimit(RLIMIT_NOFILE, %d): %w", lim.Cur, err)
	}
	if fd, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0); err == nil {
		unix.Close(fd)
		return fmt.Errorf("with RLIMIT_NOFILE at %d, open still succeeded (fd %d)", lim.Cur, fd)
	}
	c.rep.Limit = lim.Cur
	return nil
}

// run plays one phase: passes of the loop until it goes idle (poll on the
// listener times out), AcceptAll returns an error (the loop would stop
// watching the listener), or passLimit passes.
func (c *child) run(name string) *phase {
	ph := phase{Name: name, Queued: len(c.clients)}
	accepted := 0
	blocking := 0
	c.a.OnAccept = func(fd int) {
		accepted++
		if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err == nil && fl&unix.O_NONBLOCK == 0 {
			blocking++
		}
	}
	for passes := 0; ; passes++ {
		if passes == passLimit {
			ph.Spun = true
			break
		}
		pfd := []unix.PollFd{{Fd: int32(c.lfd), Events: unix.POLLIN}}
		n, err := unix.Poll(pfd, 100) // the loop's wait; 100ms of nothing means idle
		if err == unix.EINTR {
			continue
		}
		if n == 0 {
			ph.Idle = true
			break
		}
		var cl call
		var aerr error
		if s := guard.Run(c.t, "AcceptAll()", func() { cl.Accepted, cl.Refused, aerr = c.a.AcceptAll() }); s != nil {
			ph.Stuck = &stuck{Text: s.String(), Kind: s.Kind, Where: s.Where}
			break
		}
		if aerr != nil {
			cl.Err = aerr.Error()
			cl.EMFILE = errors.Is(aerr, unix.EMFILE) || errors.Is(aerr, unix.ENFILE)
		}
		ph.Calls = append(ph.Calls, cl)
		if aerr != nil {
			break
		}
	}
	ph.Accepted, ph.Blocking = accepted, blocking
	ph.ReserveFd = c.a.reserve
	ph.Reserve = describeReserve(c.a.reserve)
	for _, fd := range c.clients {
		var b [1]byte
		n, _, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		if (err == nil && n == 0) || err == unix.ECONNRESET {
			ph.Refused++
		}
	}
	c.rep.Phases = append(c.rep.Phases, ph)
	return &c.rep.Phases[len(c.rep.Phases)-1]
}

// describeReserve says what the Acceptor's reserve fd is: "open" when it
// names /dev/null (a character device), "spent" when it is -1, else what
// the number names instead.
func describeReserve(fd int) string {
	if fd < 0 {
		return "spent"
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return "closed"
	}
	if st.Mode&unix.S_IFMT == unix.S_IFCHR {
		return "open"
	}
	if st.Mode&unix.S_IFMT == unix.S_IFSOCK {
		return "a socket"
	}
	return "another file"
}

// play runs scenario in this (child) process and prints the report.
func play(t *testing.T, scenario string) {
	rep := &report{}
	defer func() {
		b, _ := json.Marshal(rep)
		fmt.Printf("\n%s%s\n", reportMarker, b)
	}()
	c := &child{t: t, rep: rep}
	setup := func(err error) bool {
		if err != nil {
			rep.Setup = err.Error()
		}
		return err == nil
	}
	if !setup(c.listen()) || !setup(c.newAcceptor()) {
		return
	}
	switch scenario {
	case "room":
		// Room in the table: three clients queued, all accepted.
		fds, err := c.sockets(3)
		if !setup(err) || !setup(c.connect(fds)) {
			return
		}
		c.run("room")

	case "full":
		// A full table: five clients queued must be refused; then two fds
		// come free and three more clients arrive: two accepted, one
		// refused.
		first, err := c.sockets(5)
		if !setup(err) {
			return
		}
		later, err := c.sockets(3)
		if !setup(err) {
			return
		}
		fillers, err := c.sockets(2)
		if !setup(err) || !setup(c.connect(first)) || !setup(c.fillTable()) {
			return
		}
		if ph := c.run("full"); ph.Stuck != nil {
			return
		}
		for _, fd := range fillers {
			unix.Close(fd)
		}
		if !setup(c.connect(later)) {
			return
		}
		c.run("two fds free")

	case "gone":
		// The reserve is gone (something else got its slot when it was
		// spent): with the table full, AcceptAll must say so, not spin.
		// Then that fd comes free: the reserve is taken back and the
		// waiting clients refused.
		fds, err := c.sockets(3)
		if !setup(err) {
			return
		}
		unix.Close(c.a.reserve)
		c.a.reserve = -1
		thief, err := unix.Open("/dev/null", unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if !setup(err) || !setup(c.connect(fds)) || !setup(c.fillTable()) {
			return
		}
		if ph := c.run("reserve gone"); ph.Stuck != nil {
			return
		}
		unix.Close(thief)
		c.run("one fd free")

	default:
		rep.Setup = "unknown scenario " + scenario
	}
}
