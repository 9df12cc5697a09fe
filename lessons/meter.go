package lessons

import (
	"time"

	"github.com/reactorlab/reactorlab/visualizer"
	"golang.org/x/sys/unix"
)

// Besides its trace, a scenario shows a few facts the loop does not
// trace, read on the loop goroutine between passes (so the screen makes
// no syscall) and published in atomics:
//
//   - the CPU time of the loop's thread (the driver locks its goroutine to
//     one OS thread), which the loop pane turns into a share of one core:
//     a loop spinning on EMFILE or a dup-trapped fd runs near 100%;
//   - how many fds the process has open, against RLIMIT_NOFILE, for the
//     fds pane;
//   - the bytes waiting unread in the raw echo's connections (labecho.go).

// Sampling intervals: often enough for a live figure, rare enough to cost
// nothing next to a pass.
const (
	cpuEvery = 100 * time.Millisecond
	fdsEvery = 250 * time.Millisecond
)

// sampler remembers when each fact was last read. Loop goroutine only.
type sampler struct{ cpu, fds time.Time }

// sample reads whatever is due. Loop goroutine only.
func (d *Driver) sample(now time.Time) {
	if now.Sub(d.meter.cpu) >= cpuEvery {
		d.meter.cpu = now
		if c := threadCPU(); c >= 0 {
			d.cpu.Store(int64(c))
		}
	}
	if d.sampleFDs && now.Sub(d.meter.fds) >= fdsEvery {
		d.meter.fds = now
		var lim unix.Rlimit
		if unix.Getrlimit(unix.RLIMIT_NOFILE, &lim) == nil {
			_, top := d.limit.lowered()
			d.fdOpen.Store(int64(countOpenFds(lim.Cur, top)))
			d.fdSoft.Store(lim.Cur)
			d.fdHard.Store(lim.Max)
		}
	}
	if d.lab != nil {
		d.lab.sample(now)
	}
}

// threadCPU is the CPU time of the calling thread, or -1 if the system
// cannot say.
func threadCPU() time.Duration {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_THREAD_CPUTIME_ID, &ts); err != nil {
		return -1
	}
	return time.Duration(ts.Nano())
}

// LoopCPU is the CPU time the loop's thread has used
// (visualizer.CPUSource).
func (d *Driver) LoopCPU() time.Duration { return time.Duration(d.cpu.Load()) }

// FDTable is the process's fd table at the last count, with the
// listener's accept counts (visualizer.FDSource).
func (d *Driver) FDTable() visualizer.FDTable {
	t := visualizer.FDTable{Open: int(d.fdOpen.Load()), Soft: d.fdSoft.Load(), Hard: d.fdHard.Load()}
	t.Was, _ = d.limit.lowered()
	if d.srv != nil {
		c := d.srv.Counters()
		t.Listener, t.Accepted, t.Refused, t.AcceptErrors = true, c.Accepted, c.Refused, c.AcceptErrors
		t.Guard = !d.guardOff.Load()
	}
	return t
}

var (
	_ visualizer.CPUSource = (*Driver)(nil)
	_ visualizer.FDSource  = (*Driver)(nil)
)
