package bench

import (
	"bufio"
	"fmt"
	"os"
	"runtime"
	"strings"

	"golang.org/x/sys/unix"
)

// Machine stamps results: ratios from different machines cannot be
// compared without it.
type Machine struct {
	CPUs   int    `json:"cpus"`
	Model  string `json:"cpu_model"`
	Kernel string `json:"kernel"`
	Go     string `json:"go"`
	OS     string `json:"os"`
}

func machine() Machine {
	m := Machine{CPUs: runtime.NumCPU(), Go: runtime.Version(), OS: runtime.GOOS + "/" + runtime.GOARCH}
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		m.Kernel = unix.ByteSliceToString(u.Sysname[:]) + " " + unix.ByteSliceToString(u.Release[:])
	}
	if f, err := os.Open("/proc/cpuinfo"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
				m.Model = strings.TrimSpace(v)
				break
			}
		}
	}
	return m
}

func (m Machine) String() string {
	return fmt.Sprintf("%d CPUs, %s, %s, %s %s", m.CPUs, orDash(m.Model), orDash(m.Kernel), m.Go, m.OS)
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Limits reports what was done to RLIMIT_NOFILE.
type Limits struct {
	SoftBefore uint64 `json:"soft_before"`
	Soft       uint64 `json:"soft"`
	Hard       uint64 `json:"hard"`
	Note       string `json:"note,omitempty"`
}

// raiseNofile lifts the soft fd limit to the hard limit: the experiment
// wants thousands of fds and the soft limit is often 1024.
func raiseNofile() Limits {
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil {
		return Limits{Note: "getrlimit failed: " + err.Error()}
	}
	lim := Limits{SoftBefore: rl.Cur, Soft: rl.Cur, Hard: rl.Max}
	if rl.Cur < rl.Max {
		want := rl
		want.Cur = rl.Max
		if err := unix.Setrlimit(unix.RLIMIT_NOFILE, &want); err != nil {
			lim.Note = fmt.Sprintf("could not raise the soft limit %d to the hard limit %d: %v", rl.Cur, rl.Max, err)
		} else {
			lim.Soft = rl.Max
			lim.Note = fmt.Sprintf("raised the soft RLIMIT_NOFILE from %d to the hard limit %d", rl.Cur, rl.Max)
			if rl.Cur == rl.Max-1 {
				// Go programs start with soft = hard-1 (syscall/rlimit.go).
				lim.Note += " (the Go runtime had already raised it from the shell's value at start)"
			}
		}
	}
	return lim
}

// openFds counts this process's open fds (0 if unknown).
func openFds() int {
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		return 0
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	return len(names)
}

// capN caps the number of socketpairs (fdsPer fds each) to what the soft
// limit allows, keeping a margin for pollers, wakers and the runtime.
func capN(lim Limits, n, fdsPer int) int {
	if lim.Soft == 0 || lim.Soft > 1<<30 {
		return n
	}
	const margin = 64
	room := (int(lim.Soft) - openFds() - margin) / fdsPer
	if room < 1 {
		room = 1
	}
	return min(n, room)
}

// capPairs caps a wanted number of socketpairs (two fds each) to what the
// fd limit allows, with a note saying so when it had to.
func capPairs(lim Limits, want int) (int, string) {
	n := capN(lim, want, 2)
	if n == want {
		return n, ""
	}
	return n, fmt.Sprintf("N=%d needs %d fds; the hard RLIMIT_NOFILE (%d) caps it at N=%d", want, 2*want, lim.Hard, n)
}

// pairs holds N non-blocking socketpairs. The read ends (watched) are
// dense low numbers; the write ends are moved above them, so the watched
// fds stay below 1024 as long as N allows (as perf.md §8 recommends).
type pairs struct{ r, w []int }

func newPairs(n int) (*pairs, error) {
	p := &pairs{}
	base := openFds() + n + 16
	for range n {
		fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
		if err != nil {
			p.close()
			return nil, os.NewSyscallError("socketpair", err)
		}
		hi, err := unix.FcntlInt(uintptr(fds[1]), unix.F_DUPFD_CLOEXEC, base)
		unix.Close(fds[1])
		if err != nil {
			unix.Close(fds[0])
			p.close()
			return nil, os.NewSyscallError("fcntl", err)
		}
		unix.CloseOnExec(fds[0])
		unix.SetNonblock(fds[0], true)
		unix.SetNonblock(hi, true)
		p.r = append(p.r, fds[0])
		p.w = append(p.w, hi)
	}
	return p, nil
}

func (p *pairs) close() {
	for _, fd := range p.r {
		unix.Close(fd)
	}
	for _, fd := range p.w {
		unix.Close(fd)
	}
	p.r, p.w = nil, nil
}
