//go:build linux

// Command echobench compares reactorlab's echo server on each backend with a
// goroutine-per-connection Go net server, side by side in one run: same load
// generator, servers pinned to CPU 0 with GOMAXPROCS=1, the client pinned to
// CPU 1, the order of servers rotating every round. Ratios are taken per
// round against the Go net run of the same round and scenario, then the
// median: machine noise that hits one round hits both sides of its ratio.
//
//	go build -o /tmp/echobench ./reactor/tcp/internal/echobench
//	go build -o /tmp/reactorlab ./cmd/reactorlab      # for the headless and notrace servers
//	/tmp/echobench -rounds 8 -reactorlab /tmp/reactorlab
//
// Servers (-servers): gonet; every reactor backend by name (select, poll,
// epoll); epoll-blocking, the epoll backend blocking in epoll_wait instead
// of parking on Go's netpoller (reactor.Config.BlockingWait); with
// -reactorlab, headless (the real `reactorlab serve --headless`, its JSON
// Lines trace written to a file) and notrace (`serve --headless
// --no-trace`); and -external binaries.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/load"
)

func main() {
	serverKind := flag.String("server", "", "internal: run as the server of this kind")
	rounds := flag.Int("rounds", 8, "rounds; the server order rotates every round")
	duration := flag.Duration("duration", 2*time.Second, "measured time per run")
	warmup := flag.Duration("warmup", 500*time.Millisecond, "warm-up per run")
	conns := flag.Int("conns", 50, "active connections")
	sizes := flag.String("sizes", "64,1024", "message `SIZES` in bytes, comma-separated, one scenario each (0 idle connections)")
	idle := flag.Int("idle", 10000, "idle connections in the idle scenario (64 B messages); 0 = no idle scenario")
	latency := flag.Bool("latency", true, "also run each server open-loop at -rate for p50/p99 (doubles the run time)")
	rate := flag.Float64("rate", 10000, "open-loop rate (req/s) for the latency runs, which also measure CPU per request at that fixed rate")
	servers := flag.String("servers", "", "`LIST` of servers, comma-separated (default gonet, every backend, and headless,notrace with -reactorlab)")
	reactorlab := flag.String("reactorlab", "", "`PATH` of a reactorlab binary: adds the headless and notrace servers")
	traceDir := flag.String("trace-dir", os.TempDir(), "`DIR` for the headless server's trace file (removed after each run)")
	external := flag.String("external", "", "extra servers as `name=path,...`: binaries that print \"addr HOST:PORT\", answer \"mem\" on stdin and exit at EOF")
	flag.Parse()
	if *serverKind != "" {
		if err := serve(*serverKind); err != nil {
			fmt.Fprintln(os.Stderr, "echobench server:", err)
			os.Exit(1)
		}
		return
	}
	runtime.GOMAXPROCS(1)
	pinSelf(1) // re-executes under taskset unless already pinned
	b := bench{duration: *duration, warmup: *warmup, conns: *conns, rate: *rate, latency: *latency,
		results: map[key][]result{}, external: map[string]string{}, reactorlab: *reactorlab, traceDir: *traceDir}
	list := append([]string{"gonet"}, reactor.BackendNames()...)
	if *reactorlab != "" {
		list = append(list, "headless", "notrace")
	}
	if *servers != "" {
		list = strings.Split(*servers, ",")
	}
	for _, e := range strings.Split(*external, ",") {
		if name, path, ok := strings.Cut(e, "="); ok {
			b.external[name] = path
			list = append(list, name)
		}
	}
	var scenarios []scenario
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(os.Stderr, "echobench: -sizes %q: want positive numbers\n", *sizes)
			os.Exit(2)
		}
		scenarios = append(scenarios, scenario{n, 0})
	}
	if *idle > 0 {
		scenarios = append(scenarios, scenario{64, *idle})
	}
	fmt.Println(stamp())
	fmt.Printf("command: %s\n\n", strings.Join(os.Args, " "))
	for r := range *rounds {
		order := append(list[r%len(list):], list[:r%len(list)]...)
		for _, sc := range scenarios {
			for _, s := range order {
				if s == "select" && sc.idle > 0 {
					continue // select cannot watch fds >= FD_SETSIZE (1024)
				}
				if err := b.run(r, s, sc); err != nil {
					fmt.Fprintf(os.Stderr, "round %d %s %+v: %v\n", r, s, sc, err)
				}
			}
		}
	}
	fmt.Printf("load average at the end: %s\n\n", loadavg())
	b.print(os.Stdout, list, scenarios, *rounds)
}

// stamp describes the machine, as perf.md asks of every figure.
func stamp() string {
	var u syscall.Utsname
	syscall.Uname(&u)
	str := func(b [65]int8) string {
		var s []byte
		for _, c := range b {
			if c == 0 {
				break
			}
			s = append(s, byte(c))
		}
		return string(s)
	}
	model := ""
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`(?m)^model name\s*:\s*(.*)$`).FindSubmatch(b); m != nil {
			model = string(m[1])
		}
	}
	// Count the machine's CPUs, not this process's: it runs under taskset.
	cpus := 0
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		cpus = len(regexp.MustCompile(`(?m)^processor\s*:`).FindAll(b, -1))
	}
	return fmt.Sprintf("machine: %s %s, %d CPUs (%s), %s; load average at the start: %s",
		str(u.Sysname), str(u.Release), cpus, model, runtime.Version(), loadavg())
}

func loadavg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

type scenario struct{ size, idle int }

type key struct {
	server string
	sc     scenario
}

type result struct {
	round                       int
	perSec, cpuUs, p99Us, p50Us float64
	cpuOpenUs                   float64 // server CPU per request in the open-loop run, at -rate
	rss, goMem                  int64   // peak RSS sampled during the closed-loop run; Go heap+stacks (-1: unknown)
	errs                        uint64
	dropped                     int64 // trace events the headless server reported dropped (-1: not reported)
}

type bench struct {
	duration, warmup time.Duration
	conns            int
	rate             float64
	latency          bool
	results          map[key][]result
	external         map[string]string // name -> binary
	reactorlab       string
	traceDir         string
}

// server is a running server child process.
type server struct {
	cmd    *exec.Cmd
	in     io.WriteCloser // nil: the server takes no "mem" requests
	out    *bufio.Scanner
	trace  string        // reactorlab servers: the file their stdout goes to
	stderr *bytes.Buffer // reactorlab servers: the final counters
}

// start launches a server on CPU 0. taskset pins the whole process (every
// thread the Go runtime will create inherits the mask), and execs in place,
// so the pid is the server's.
func (b *bench) start(kind string) (*server, string, error) {
	if kind == "headless" || kind == "notrace" {
		return b.startReactorlab(kind)
	}
	argv := []string{os.Args[0], "-server", kind}
	if path, ok := b.external[kind]; ok {
		argv = []string{path}
	}
	cmd := exec.Command(pinned(argv)[0], pinned(argv)[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	cmd.Stderr = os.Stderr
	in, _ := cmd.StdinPipe()
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		return nil, "", err
	}
	s := &server{cmd: cmd, in: in, out: bufio.NewScanner(out)}
	line, err := s.expect("addr ")
	return s, line, err
}

// startReactorlab runs `reactorlab serve --headless` (with --no-trace for
// notrace), its trace going to a file as a user would redirect it, and
// reads the bound address from the file's first line, the listen event.
func (b *bench) startReactorlab(kind string) (*server, string, error) {
	if b.reactorlab == "" {
		return nil, "", fmt.Errorf("server %s needs -reactorlab PATH", kind)
	}
	f, err := os.CreateTemp(b.traceDir, "echobench-trace-*.jsonl")
	if err != nil {
		return nil, "", err
	}
	defer f.Close()
	argv := []string{b.reactorlab, "serve", "--headless", "--listen", "127.0.0.1:0", "--backend", reactor.DefaultBackend()}
	if kind == "notrace" {
		argv = append(argv, "--no-trace")
	}
	argv = pinned(argv)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), "GOMAXPROCS=1")
	var stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = f, &stderr
	if err := cmd.Start(); err != nil {
		os.Remove(f.Name())
		return nil, "", err
	}
	s := &server{cmd: cmd, trace: f.Name(), stderr: &stderr}
	// The first line appears once the server has bound; poll the file
	// for it (a benchmark tool may wait like this; the tests never do).
	for range 500 {
		if line, _, ok := bytes.Cut(readHead(f.Name()), []byte("\n")); ok {
			var ev struct{ Kind, Text string }
			if err := json.Unmarshal(line, &ev); err != nil || ev.Kind != "listen" {
				s.stop()
				return nil, "", fmt.Errorf("%s: first line %q; want the listen event", kind, line)
			}
			return s, ev.Text, nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.stop()
	return nil, "", fmt.Errorf("%s: no listen event after 5s; stderr: %s", kind, stderr.String())
}

func readHead(path string) []byte {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	buf := make([]byte, 4096)
	n, _ := f.Read(buf)
	return buf[:n]
}

// pinned prefixes argv with `taskset -c 0` when taskset exists.
func pinned(argv []string) []string {
	if tp, err := exec.LookPath("taskset"); err == nil {
		return append([]string{tp, "-c", "0"}, argv...)
	}
	return argv
}

func (s *server) expect(prefix string) (string, error) {
	for s.out.Scan() {
		if rest, ok := strings.CutPrefix(s.out.Text(), prefix); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("server exited before %q", prefix)
}

// mem returns the server's resident set size, read from /proc, and its Go
// heap and stacks when it answers "mem" (-1 otherwise).
func (s *server) mem() (rss, goMem int64) {
	rss, goMem = procRSS(s.cmd.Process.Pid), -1
	if s.in != nil {
		fmt.Fprintln(s.in, "mem")
		if line, err := s.expect("mem "); err == nil {
			var r int64
			fmt.Sscanf(line, "rss=%d go=%d", &r, &goMem)
		}
	}
	return rss, goMem
}

// stop ends the server: EOF on stdin, or SIGTERM for reactorlab, whose
// final counters then say how many trace events it dropped (-1 if none
// were reported).
func (s *server) stop() (dropped int64) {
	dropped = -1
	if s.in != nil {
		s.in.Close()
	} else {
		s.cmd.Process.Signal(syscall.SIGTERM)
	}
	s.cmd.Wait()
	if s.trace != "" {
		os.Remove(s.trace)
	}
	if s.stderr != nil {
		if m := regexp.MustCompile(`(\d+) dropped`).FindStringSubmatch(s.stderr.String()); m != nil {
			dropped, _ = strconv.ParseInt(m[1], 10, 64)
		}
		if s.stderr.Len() > 0 {
			fmt.Fprint(os.Stderr, "  ", s.stderr.String())
		}
	}
	return dropped
}

// run measures one server in one scenario: a closed-loop run for
// throughput, CPU per request and memory, then (with -latency) an
// open-loop run at a fixed rate for latency. Each run gets a fresh server
// process.
func (b *bench) run(round int, kind string, sc scenario) error {
	res := result{round: round, dropped: -1}
	runs := []bool{false}
	if b.latency {
		runs = append(runs, true)
	}
	for _, open := range runs {
		s, addr, err := b.start(kind)
		if err != nil {
			return err
		}
		o := load.DefaultOptions()
		o.Addr, o.Conns, o.Idle, o.Size = addr, b.conns, sc.idle, sc.size
		o.Duration, o.Warmup, o.ServerPID = b.duration, b.warmup, s.cmd.Process.Pid
		if open {
			o.Rate = b.rate
		}
		var rss, goMem int64
		rep, err := load.Run(context.Background(), o, func(load.Progress) {
			r, g := s.mem()
			rss, goMem = max(rss, r), g
		})
		dropped := s.stop()
		if err != nil {
			return err
		}
		if open {
			res.p99Us, res.p50Us, res.cpuOpenUs = rep.P99Us, rep.P50Us, rep.ServerCPUPerRequestUs
		} else {
			res.perSec, res.cpuUs, res.rss, res.goMem, res.dropped = rep.PerSecond, rep.ServerCPUPerRequestUs, rss, goMem, dropped
		}
		res.errs += rep.ErrorCount + rep.Lost
	}
	k := key{kind, sc}
	b.results[k] = append(b.results[k], res)
	fmt.Fprintf(os.Stderr, "round %d %-14s size %4d idle %5d: %7.0f req/s  %5.2f µs CPU/req (%5.2f at %g/s)  p99 %7.0f µs  rss %6.1f MiB  errors %d\n",
		round, kind, sc.size, sc.idle, res.perSec, res.cpuUs, res.cpuOpenUs, b.rate, res.p99Us, float64(res.rss)/(1<<20), res.errs)
	return nil
}

// median returns the median of v (the mean of the two middle values for
// an even count), with the min and max.
func median(v []float64) (med, lo, hi float64) {
	v = slices.Clone(v)
	slices.Sort(v)
	n := len(v)
	med = v[n/2]
	if n%2 == 0 {
		med = (v[n/2-1] + v[n/2]) / 2
	}
	return med, v[0], v[n-1]
}

func values(rs []result, f func(result) float64) []float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	return v
}

func (b *bench) print(w io.Writer, servers []string, scenarios []scenario, rounds int) {
	cell := func(rs []result, f func(result) float64, prec int) string {
		m, lo, hi := median(values(rs, f))
		return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, m, prec, lo, prec, hi)
	}
	fmt.Fprintf(w, "Medians of %d rounds (min–max).\n\n", rounds)
	if b.latency {
		fmt.Fprintf(w, "| server | size | idle | req/s (closed loop) | server CPU µs/req | peak RSS MiB | CPU µs/req at %g req/s | p99 µs | p50 µs | errors |\n", b.rate)
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	} else {
		fmt.Fprintln(w, "| server | size | idle | req/s (closed loop) | server CPU µs/req | peak RSS MiB | errors |")
		fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	}
	for _, sc := range scenarios {
		for _, s := range servers {
			rs := b.results[key{s, sc}]
			if len(rs) == 0 {
				continue
			}
			var errs uint64
			for _, r := range rs {
				errs += r.errs
			}
			row := fmt.Sprintf("| %s | %d | %d | %s | %s | %s |", s, sc.size, sc.idle,
				cell(rs, func(r result) float64 { return r.perSec }, 0),
				cell(rs, func(r result) float64 { return r.cpuUs }, 2),
				cell(rs, func(r result) float64 { return float64(r.rss) / (1 << 20) }, 1))
			if b.latency {
				row += fmt.Sprintf(" %s | %s | %s |", cell(rs, func(r result) float64 { return r.cpuOpenUs }, 2),
					cell(rs, func(r result) float64 { return r.p99Us }, 0),
					cell(rs, func(r result) float64 { return r.p50Us }, 0))
			}
			fmt.Fprintf(w, "%s %d |\n", row, errs)
		}
	}

	// Per-round ratios of server CPU per request against Go net.
	fmt.Fprintf(w, "\nServer CPU per request ÷ Go net's, per round (same round, same scenario):\n\n")
	b.ratios(w, servers, scenarios, "closed loop", func(r result) float64 { return r.cpuUs })
	if b.latency {
		fmt.Fprintf(w, "\nThe same at a fixed %g req/s (open loop: both servers get the same requests at the same times):\n\n", b.rate)
		b.ratios(w, servers, scenarios, fmt.Sprintf("%g req/s", b.rate), func(r result) float64 { return r.cpuOpenUs })
	}

	// Trace events dropped by the headless server.
	for _, sc := range scenarios {
		rs := b.results[key{"headless", sc}]
		if len(rs) == 0 {
			continue
		}
		var d []string
		for _, r := range rs {
			d = append(d, strconv.FormatInt(r.dropped, 10))
		}
		fmt.Fprintf(w, "\nheadless, size %d idle %d: trace events dropped per round: %s\n", sc.size, sc.idle, strings.Join(d, ", "))
	}

	// Memory per idle connection: the idle scenario minus the 0-idle one at
	// the same message size.
	var idleSc scenario
	for _, sc := range scenarios {
		if sc.idle > 0 {
			idleSc = sc
		}
	}
	if idleSc.idle == 0 {
		return
	}
	base := scenario{idleSc.size, 0}
	fmt.Fprintf(w, "\n| server | RSS bytes per idle conn | Go heap+stack bytes per idle conn |\n|---|---|---|\n")
	for _, s := range servers {
		with, without := b.results[key{s, idleSc}], b.results[key{s, base}]
		if len(with) == 0 || len(without) == 0 {
			continue
		}
		r1, _, _ := median(values(with, func(r result) float64 { return float64(r.rss) }))
		r0, _, _ := median(values(without, func(r result) float64 { return float64(r.rss) }))
		g1, _, _ := median(values(with, func(r result) float64 { return float64(r.goMem) }))
		g0, _, _ := median(values(without, func(r result) float64 { return float64(r.goMem) }))
		n := float64(idleSc.idle)
		goCell := "—"
		if g1 >= 0 && g0 >= 0 {
			goCell = fmt.Sprintf("%.0f", (g1-g0)/n)
		}
		fmt.Fprintf(w, "| %s | %.0f | %s |\n", s, (r1-r0)/n, goCell)
	}
}

// ratios prints, per scenario and server, the median of the per-round
// ratios of f against Go net's f in the same round, the spread, and how
// many rounds were lower.
func (b *bench) ratios(w io.Writer, servers []string, scenarios []scenario, load string, f func(result) float64) {
	fmt.Fprintf(w, "| server | size | idle | load | median ratio | spread | rounds lower than Go net |\n")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|")
	for _, sc := range scenarios {
		base := map[int]float64{}
		for _, r := range b.results[key{"gonet", sc}] {
			base[r.round] = f(r)
		}
		for _, s := range servers {
			if s == "gonet" {
				continue
			}
			var ratios []float64
			lower := 0
			for _, r := range b.results[key{s, sc}] {
				if g, ok := base[r.round]; ok && g > 0 {
					ratios = append(ratios, f(r)/g)
					if f(r) < g {
						lower++
					}
				}
			}
			if len(ratios) == 0 {
				continue
			}
			m, lo, hi := median(ratios)
			fmt.Fprintf(w, "| %s | %d | %d | %s | %.2f× | %.2f–%.2f× | %d of %d |\n", s, sc.size, sc.idle, load, m, lo, hi, lower, len(ratios))
		}
	}
}

// procRSS returns a process's resident set size in bytes, from /proc.
func procRSS(pid int) int64 {
	b, _ := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}
