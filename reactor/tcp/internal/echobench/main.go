//go:build linux

// Command echobench compares reactorlab's echo server on each backend with a
// goroutine-per-connection Go net server, side by side in one run: same load
// generator, servers pinned to CPU 0 with GOMAXPROCS=1, the client pinned to
// CPU 1, alternating the order of servers every round.
//
//	go build -o /tmp/echobench ./reactor/tcp/internal/echobench && /tmp/echobench -rounds 3
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/reactorlab/reactorlab/reactor/load"
)

func main() {
	serverKind := flag.String("server", "", "internal: run as the server of this kind")
	rounds := flag.Int("rounds", 3, "rounds; the server order rotates every round")
	duration := flag.Duration("duration", 2*time.Second, "measured time per run")
	warmup := flag.Duration("warmup", 500*time.Millisecond, "warm-up per run")
	conns := flag.Int("conns", 50, "active connections")
	idle := flag.Int("idle", 10000, "idle connections in the idle scenario")
	rate := flag.Float64("rate", 10000, "open-loop rate (req/s) for the latency runs")
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
	b := bench{duration: *duration, warmup: *warmup, conns: *conns, rate: *rate, results: map[key][]result{},
		external: map[string]string{}}
	servers := []string{"gonet", "epoll", "poll", "select"}
	for _, e := range strings.Split(*external, ",") {
		if name, path, ok := strings.Cut(e, "="); ok {
			b.external[name] = path
			servers = append(servers, name)
		}
	}
	scenarios := []scenario{{64, 0}, {1024, 0}, {64, *idle}}
	for r := range *rounds {
		order := append(servers[r%len(servers):], servers[:r%len(servers)]...)
		for _, sc := range scenarios {
			for _, s := range order {
				if s == "select" && sc.idle > 0 {
					continue // select cannot watch fds >= FD_SETSIZE (1024)
				}
				if err := b.run(s, sc); err != nil {
					fmt.Fprintf(os.Stderr, "round %d %s %+v: %v\n", r, s, sc, err)
				}
			}
		}
	}
	b.print(os.Stdout, servers, scenarios)
}

type scenario struct{ size, idle int }

type key struct {
	server string
	sc     scenario
}

type result struct {
	perSec, cpuUs, p99Us, p50Us float64
	rss, goMem                  int64
	errs                        uint64
}

type bench struct {
	duration, warmup time.Duration
	conns            int
	rate             float64
	results          map[key][]result
	external         map[string]string // name -> binary
}

// server is a running server child process.
type server struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

// start launches a server on CPU 0. taskset pins the whole process (every
// thread the Go runtime will create inherits the mask), and execs in place,
// so the pid is the server's.
func (b *bench) start(kind string) (*server, string, error) {
	argv := []string{os.Args[0], "-server", kind}
	if path, ok := b.external[kind]; ok {
		argv = []string{path}
	}
	if tp, err := exec.LookPath("taskset"); err == nil {
		argv = append([]string{tp, "-c", "0"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
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

func (s *server) expect(prefix string) (string, error) {
	for s.out.Scan() {
		if rest, ok := strings.CutPrefix(s.out.Text(), prefix); ok {
			return rest, nil
		}
	}
	return "", fmt.Errorf("server exited before %q", prefix)
}

func (s *server) mem() (rss, goMem int64) {
	fmt.Fprintln(s.in, "mem")
	line, err := s.expect("mem ")
	if err == nil {
		fmt.Sscanf(line, "rss=%d go=%d", &rss, &goMem)
	}
	return rss, goMem
}

func (s *server) stop() {
	s.in.Close()
	s.cmd.Wait()
}

// run measures one server in one scenario: a closed-loop run for
// throughput, CPU per request and memory, then an open-loop run at a fixed
// rate for latency. Each run gets a fresh server process.
func (b *bench) run(kind string, sc scenario) error {
	var res result
	for _, open := range []bool{false, true} {
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
		rep, err := load.Run(context.Background(), o, func(load.Progress) { rss, goMem = s.mem() })
		s.stop()
		if err != nil {
			return err
		}
		if open {
			res.p99Us, res.p50Us = rep.P99Us, rep.P50Us
		} else {
			res.perSec, res.cpuUs, res.rss, res.goMem = rep.PerSecond, rep.ServerCPUPerRequestUs, rss, goMem
		}
		res.errs += rep.ErrorCount + rep.Lost
	}
	k := key{kind, sc}
	b.results[k] = append(b.results[k], res)
	fmt.Fprintf(os.Stderr, "%-6s size %4d idle %5d: %7.0f req/s  %5.2f µs CPU/req  p99 %7.0f µs  rss %6.1f MiB  errors %d\n",
		kind, sc.size, sc.idle, res.perSec, res.cpuUs, res.p99Us, float64(res.rss)/(1<<20), res.errs)
	return nil
}

// median returns the median of f over rs, with the min and max.
func median(rs []result, f func(result) float64) (med, lo, hi float64) {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2], v[0], v[len(v)-1]
}

func (b *bench) print(w io.Writer, servers []string, scenarios []scenario) {
	fmt.Fprintf(w, "| server | size | idle | req/s (closed loop) | server CPU µs/req | p99 µs at %g req/s | p50 µs | errors |\n", b.rate)
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|")
	for _, sc := range scenarios {
		for _, s := range servers {
			rs := b.results[key{s, sc}]
			if len(rs) == 0 {
				fmt.Fprintf(w, "| %s | %d | %d | — (not run) | | | | |\n", s, sc.size, sc.idle)
				continue
			}
			cell := func(f func(result) float64, prec int) string {
				m, lo, hi := median(rs, f)
				return fmt.Sprintf("%.*f (%.*f–%.*f)", prec, m, prec, lo, prec, hi)
			}
			var errs uint64
			for _, r := range rs {
				errs += r.errs
			}
			fmt.Fprintf(w, "| %s | %d | %d | %s | %s | %s | %s | %d |\n", s, sc.size, sc.idle,
				cell(func(r result) float64 { return r.perSec }, 0),
				cell(func(r result) float64 { return r.cpuUs }, 2),
				cell(func(r result) float64 { return r.p99Us }, 0),
				cell(func(r result) float64 { return r.p50Us }, 0), errs)
		}
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
		r1, _, _ := median(with, func(r result) float64 { return float64(r.rss) })
		r0, _, _ := median(without, func(r result) float64 { return float64(r.rss) })
		g1, _, _ := median(with, func(r result) float64 { return float64(r.goMem) })
		g0, _, _ := median(without, func(r result) float64 { return float64(r.goMem) })
		n := float64(idleSc.idle)
		fmt.Fprintf(w, "| %s | %.0f | %.0f |\n", s, (r1-r0)/n, (g1-g0)/n)
	}
}
