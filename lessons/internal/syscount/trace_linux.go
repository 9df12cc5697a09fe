//go:build linux

package syscount

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Counter is a traced child process and what it has called so far.
type Counter struct {
	pid int

	mu    sync.Mutex
	byNr  map[uint64]*Stat // guarded by mu
	stops uint64           // syscall stops seen (entry and exit), guarded by mu

	done chan struct{} // closed when the child is gone and reaped
	err  error         // how the child ended; read after done
}

// Start runs argv (argv[0] is the program's path) with env and files (as
// os.ProcAttr: files[0] is its stdin, and so on) as a traced child in a
// process group of its own, and counts its syscalls until it exits. The
// child is killed if this process dies first.
//
// The tracer is one goroutine locked to its OS thread for the child's
// whole life: ptrace(2) answers only the thread that started the child.
// It waits only on the child's process group, so it never reaps another
// child of this process.
func Start(argv, env []string, files []*os.File) (*Counter, error) {
	if len(argv) == 0 {
		return nil, errors.New("syscount: no program to run")
	}
	c := &Counter{byNr: map[uint64]*Stat{}, done: make(chan struct{})}
	started := make(chan error, 1)
	go c.trace(argv, env, files, started)
	if err := <-started; err != nil {
		return nil, err
	}
	return c, nil
}

// Pid is the child's process id.
func (c *Counter) Pid() int { return c.pid }

// Done is closed once the child has exited and been reaped.
func (c *Counter) Done() <-chan struct{} { return c.done }

// Err says how the child ended (nil for exit status 0). Call it after Done.
func (c *Counter) Err() error { return c.err }

// Kill ends the child at once (SIGKILL). Done follows.
func (c *Counter) Kill() {
	select {
	case <-c.done:
	default:
		unix.Kill(c.pid, unix.SIGKILL)
	}
}

// Counts is a snapshot of what the child has called, most frequent first.
func (c *Counter) Counts() Counts {
	c.mu.Lock()
	out := make(Counts, 0, len(c.byNr))
	for _, s := range c.byNr {
		out = append(out, *s)
	}
	c.mu.Unlock()
	sortCounts(out)
	return out
}

// trace is the tracer goroutine: start the child, then answer its stops
// until it is gone. The OS thread is never unlocked, so it ends with the
// goroutine and no other goroutine inherits its tracer role.
func (c *Counter) trace(argv, env []string, files []*os.File, started chan<- error) {
	runtime.LockOSThread()
	defer close(c.done)
	proc, err := os.StartProcess(argv[0], argv, &os.ProcAttr{Env: env, Files: files, Sys: &syscall.SysProcAttr{
		Ptrace:    true,            // PTRACE_TRACEME, then stop after exec
		Setpgid:   true,            // its own group: we wait on that group only
		Pdeathsig: syscall.SIGKILL, // if this thread dies, so does the child
	}})
	if err != nil {
		c.err = err
		started <- fmt.Errorf("start %s under ptrace: %w", argv[0], err)
		return
	}
	c.pid = proc.Pid
	proc.Release() // we reap it ourselves, with wait4
	var ws unix.WaitStatus
	if _, err := c.wait(&ws); err != nil || !ws.Stopped() {
		c.err = fmt.Errorf("child %d did not stop after exec (%v)", c.pid, err)
		unix.Kill(c.pid, unix.SIGKILL)
		c.reapAll()
		started <- c.err
		return
	}
	opts := unix.PTRACE_O_TRACESYSGOOD | unix.PTRACE_O_TRACECLONE | unix.PTRACE_O_EXITKILL
	if err := unix.PtraceSetOptions(c.pid, opts); err != nil {
		c.err = os.NewSyscallError("ptrace(PTRACE_SETOPTIONS)", err)
		unix.Kill(c.pid, unix.SIGKILL)
		c.reapAll()
		started <- c.err
		return
	}
	if err := unix.PtraceSyscall(c.pid, 0); err != nil {
		c.err = os.NewSyscallError("ptrace(PTRACE_SYSCALL)", err)
		unix.Kill(c.pid, unix.SIGKILL)
		c.reapAll()
		started <- c.err
		return
	}
	started <- nil
	c.follow()
}

// wait waits for the next stop or exit of any thread of the child.
func (c *Counter) wait(ws *unix.WaitStatus) (int, error) {
	for {
		tid, err := unix.Wait4(-c.pid, ws, unix.WALL, nil)
		if err != unix.EINTR {
			return tid, err
		}
	}
}

// reapAll collects exit statuses until the child's group is gone.
func (c *Counter) reapAll() {
	var ws unix.WaitStatus
	for {
		if _, err := c.wait(&ws); err != nil {
			return
		}
	}
}

// follow answers every stop of every thread of the child until the
// process has exited.
func (c *Counter) follow() {
	nr := map[int]uint64{} // per thread: the syscall it is inside
	var ws unix.WaitStatus
	for {
		tid, err := c.wait(&ws)
		if err != nil {
			if c.err == nil && err != unix.ECHILD {
				c.err = os.NewSyscallError("wait4", err)
			}
			return
		}
		switch {
		case ws.Exited(), ws.Signaled():
			delete(nr, tid)
			if tid == c.pid { // the leader is reported last
				if ws.Signaled() {
					c.err = fmt.Errorf("child %d killed by %v", c.pid, ws.Signal())
				} else if code := ws.ExitStatus(); code != 0 {
					c.err = fmt.Errorf("child %d exited with status %d", c.pid, code)
				}
				c.reapAll()
				return
			}
			continue
		case !ws.Stopped():
			continue
		}
		inject := 0
		switch sig := ws.StopSignal(); {
		case sig == unix.SIGTRAP|0x80: // a syscall stop (PTRACE_O_TRACESYSGOOD)
			c.syscallStop(tid, nr)
		case sig == unix.SIGTRAP, sig == unix.SIGSTOP:
			// A ptrace event (a new thread, already traced) or a new
			// thread's first stop: nothing to deliver.
		default:
			inject = int(sig) // a real signal (the Go runtime preempts with SIGURG): deliver it
		}
		unix.PtraceSyscall(tid, inject) // ESRCH: the thread died meanwhile
	}
}

// syscallInfo is struct ptrace_syscall_info (linux/ptrace.h). Data holds
// the union: on entry nr then six arguments, on exit rval then is_error.
type syscallInfo struct {
	Op   uint8
	_    [3]uint8
	Arch uint32
	IP   uint64
	SP   uint64
	Data [8]uint64
}

// syscallStop counts an entry, and an exit that failed with EAGAIN.
func (c *Counter) syscallStop(tid int, inside map[int]uint64) {
	var info syscallInfo
	_, _, e := unix.Syscall6(unix.SYS_PTRACE, unix.PTRACE_GET_SYSCALL_INFO, uintptr(tid),
		unsafe.Sizeof(info), uintptr(unsafe.Pointer(&info)), 0, 0)
	if e != 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stops++
	switch info.Op {
	case unix.PTRACE_SYSCALL_INFO_ENTRY:
		n := info.Data[0]
		inside[tid] = n
		s := c.byNr[n]
		if s == nil {
			s = &Stat{Name: nameOf(n)}
			c.byNr[n] = s
		}
		s.Calls++
	case unix.PTRACE_SYSCALL_INFO_EXIT:
		n, ok := inside[tid]
		delete(inside, tid)
		if ok && int64(info.Data[0]) == -int64(unix.EAGAIN) {
			if s := c.byNr[n]; s != nil {
				s.EAGAIN++
			}
		}
	}
}
