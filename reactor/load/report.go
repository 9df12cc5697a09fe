package load

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"
)

// Report is the result of one load run. Its JSON form is what --json prints.
type Report struct {
	Addr        string  `json:"addr"`
	Mode        string  `json:"mode"`
	Conns       int     `json:"conns"`      // active connections that connected
	Idle        int     `json:"idle"`       // idle connections that connected
	Size        int     `json:"size"`       // message size, bytes
	Rate        float64 `json:"rate"`       // requested rate, 0 = closed loop
	Verify      bool    `json:"verify"`     // every echoed byte was checked
	Seconds     float64 `json:"seconds"`    // measured period
	Requests    uint64  `json:"requests"`   // echo round trips (echo) or messages sent (stream)
	PerSecond   float64 `json:"per_second"` // Requests / Seconds
	BytesSent   uint64  `json:"bytes_sent"` // in the measured period
	BytesRecv   uint64  `json:"bytes_recv"` // in the measured period
	MiBPerSecIn float64 `json:"mib_per_sec_in"`
	P50Us       float64 `json:"p50_us,omitempty"`
	P99Us       float64 `json:"p99_us,omitempty"`
	P999Us      float64 `json:"p999_us,omitempty"`
	MaxUs       float64 `json:"max_us,omitempty"`
	ErrorCount  uint64  `json:"error_count"`
	Lost        uint64  `json:"lost"` // open loop: requests unanswered after the grace period

	Errors []string `json:"errors,omitempty"` // the first few error messages

	ServerCPUSeconds      float64 `json:"server_cpu_seconds,omitempty"`
	ServerCPUPerRequestUs float64 `json:"server_cpu_per_request_us,omitempty"`
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

func (r *run) report(elapsed time.Duration, active, idle int) *Report {
	secs := elapsed.Seconds()
	rep := &Report{
		Addr: r.opts.Addr, Mode: r.opts.Mode, Conns: active, Idle: idle, Size: r.opts.Size,
		Rate: r.opts.Rate, Verify: r.opts.Verify, Seconds: secs,
		Requests: r.reqs.Load(), BytesSent: r.sent.Load(), BytesRecv: r.recv.Load(),
		ErrorCount: r.errs.Load(), Lost: r.lost.Load(),
	}
	rep.PerSecond = float64(rep.Requests) / secs
	rep.MiBPerSecIn = float64(rep.BytesRecv) / secs / (1 << 20)
	if r.hist.count() > 0 {
		rep.P50Us = us(r.hist.quantile(0.50))
		rep.P99Us = us(r.hist.quantile(0.99))
		rep.P999Us = us(r.hist.quantile(0.999))
		rep.MaxUs = us(r.hist.quantile(1))
	}
	r.mu.Lock()
	rep.Errors = append(rep.Errors, r.firstErr...)
	r.mu.Unlock()
	return rep
}

// WriteText prints the report for people.
func (rep *Report) WriteText(w io.Writer) {
	loop := "closed loop"
	if rep.Rate > 0 {
		loop = fmt.Sprintf("open loop at %g/s", rep.Rate)
	}
	fmt.Fprintf(w, "load %s: %s mode, %d active + %d idle connections, %d B messages, %s, %.1fs\n",
		rep.Addr, rep.Mode, rep.Conns, rep.Idle, rep.Size, loop, rep.Seconds)
	unit := "requests"
	if rep.Mode == ModeStream {
		unit = "messages sent"
	}
	fmt.Fprintf(w, "  throughput  %.0f %s/s (%d total), in %.2f MiB/s\n", rep.PerSecond, unit, rep.Requests, rep.MiBPerSecIn)
	if rep.Mode == ModeEcho && rep.Requests > 0 {
		fmt.Fprintf(w, "  latency     p50 %s  p99 %s  p99.9 %s  max %s\n",
			fmtUs(rep.P50Us), fmtUs(rep.P99Us), fmtUs(rep.P999Us), fmtUs(rep.MaxUs))
	}
	if rep.Verify {
		fmt.Fprintf(w, "  verify      every echoed byte checked\n")
	}
	if rep.ServerCPUSeconds > 0 {
		fmt.Fprintf(w, "  server CPU  %.3fs, %.2f µs per request\n", rep.ServerCPUSeconds, rep.ServerCPUPerRequestUs)
	}
	fmt.Fprintf(w, "  errors      %d", rep.ErrorCount)
	if rep.Lost > 0 {
		fmt.Fprintf(w, " (+%d requests unanswered at the end)", rep.Lost)
	}
	fmt.Fprintln(w)
	for _, e := range rep.Errors {
		fmt.Fprintf(w, "    %s\n", e)
	}
}

func fmtUs(v float64) string {
	d := time.Duration(v * 1e3)
	switch {
	case d < time.Millisecond:
		return strconv.FormatFloat(v, 'f', 0, 64) + "µs"
	case d < time.Second:
		return strconv.FormatFloat(v/1e3, 'f', 2, 64) + "ms"
	}
	return strconv.FormatFloat(v/1e6, 'f', 2, 64) + "s"
}

// FormatProgress renders the live progress line of a run that measures
// for total in mode (ModeEcho or ModeStream).
func FormatProgress(p Progress, total time.Duration, mode string) string {
	var b strings.Builder
	if p.Elapsed < 0 {
		fmt.Fprintf(&b, "warming up… %.1fs", (-p.Elapsed).Seconds())
	} else {
		rate := 0.0
		if p.Elapsed > 0 {
			rate = float64(p.Requests) / p.Elapsed.Seconds()
		}
		unit := "req"
		if mode == ModeStream {
			unit = "msg"
		}
		fmt.Fprintf(&b, "%4.1f/%.0fs  %d %s  %.0f %s/s  %.2f MiB in  %d errors",
			p.Elapsed.Seconds(), total.Seconds(), p.Requests, unit, rate, unit,
			float64(p.BytesIn)/(1<<20), p.Errors)
	}
	return b.String()
}

// serverCPUTime reads a server's CPU time; tests replace it with a fake
// clock.
var serverCPUTime = serverCPU

// serverCPU returns the user+system CPU time of process pid from /proc, or
// zero when pid <= 0.
func serverCPU(pid int) (time.Duration, error) {
	if pid <= 0 {
		return 0, nil
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0, fmt.Errorf("server CPU time: %w", err)
	}
	// The command name (field 2) may contain spaces; fields after ")" are fixed.
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, fmt.Errorf("server CPU time: cannot parse /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 13 {
		return 0, fmt.Errorf("server CPU time: short /proc/%d/stat", pid)
	}
	utime, err1 := strconv.ParseInt(f[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(f[12], 10, 64) // field 15
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("server CPU time: cannot parse /proc/%d/stat", pid)
	}
	const clkTck = 100 // USER_HZ is 100 on every Linux architecture Go supports
	return time.Duration(utime+stime) * time.Second / clkTck, nil
}
