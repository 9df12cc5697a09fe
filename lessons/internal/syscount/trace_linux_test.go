//go:build linux

package syscount

import (
	"errors"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMain doubles as the child the tests trace: with SYSCOUNT_CHILD set,
// the test binary makes a known set of syscalls and exits.
func TestMain(m *testing.M) {
	switch os.Getenv("SYSCOUNT_CHILD") {
	case "":
		os.Exit(m.Run())
	case "calls":
		for range 25 {
			unix.Getppid()
		}
		var p [2]int
		if err := unix.Pipe2(p[:], unix.O_NONBLOCK); err != nil {
			os.Exit(3)
		}
		var b [8]byte
		for range 3 {
			if _, err := unix.Read(p[0], b[:]); err != unix.EAGAIN {
				os.Exit(4)
			}
		}
		os.Exit(0)
	case "fail":
		os.Exit(7)
	}
	os.Exit(5)
}

func startChild(t *testing.T, role string) *Counter {
	t.Helper()
	c, err := Start([]string{os.Args[0], "-test.run=^$"}, append(os.Environ(), "SYSCOUNT_CHILD="+role),
		[]*os.File{nil, nil, os.Stderr})
	if errors.Is(err, unix.EPERM) {
		t.Skipf("ptrace not permitted here: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	return c
}

// Every call the child makes is counted by name, with the reads that
// would have blocked counted as EAGAIN.
func TestCountsAChildsCalls(t *testing.T) {
	c := startChild(t, "calls")
	<-c.Done()
	if err := c.Err(); err != nil {
		t.Fatalf("child ended with %v; want status 0", err)
	}
	got := c.Counts()
	if s := got.Get("getppid"); s.Calls != 25 {
		t.Errorf("getppid calls = %d; want 25 (counts: %v)", s.Calls, got)
	}
	if s := got.Get("read"); s.EAGAIN != 3 || s.Calls < 3 {
		t.Errorf("read = %d calls, %d EAGAIN; want at least 3 calls, exactly 3 EAGAIN (counts: %v)", s.Calls, s.EAGAIN, got)
	}
	if s := got.Get("exit_group"); s.Calls != 1 {
		t.Errorf("exit_group calls = %d; want 1", s.Calls)
	}
	if got.Total() < 30 {
		t.Errorf("Total() = %d; want at least 30", got.Total())
	}
	for i := 1; i < len(got); i++ {
		if got[i].Calls > got[i-1].Calls {
			t.Fatalf("counts not sorted, most first: %v", got)
		}
	}
}

func TestExitStatusReported(t *testing.T) {
	c := startChild(t, "fail")
	<-c.Done()
	if err := c.Err(); err == nil || !strings.Contains(err.Error(), "status 7") {
		t.Errorf("Err() = %v; want one naming exit status 7", err)
	}
}

func TestStartRefusesEmptyArgv(t *testing.T) {
	if _, err := Start(nil, nil, nil); err == nil {
		t.Error("Start(nil) = nil error; want one")
	}
}
