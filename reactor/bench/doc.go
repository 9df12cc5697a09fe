// Package bench holds the experiments behind `reactorlab bench wait` and
// `reactorlab bench chain`, run on the real reactor backends: [Wait] and
// [Chain] take options and return a report that marshals as JSON or prints
// as a table ([PrintWait], [PrintChain]).
//
// wait is the classic O(watched) vs O(ready) experiment: for each backend
// and each N it registers N socketpairs with exactly one of them readable
// and reports the median cost of one wait call. select and poll hand the
// kernel every fd on every call, so their cost grows with N; epoll keeps
// the interest list in the kernel and stays flat. select refuses fds at or
// above FD_SETSIZE (1024), and the table shows that refusal instead of a
// number.
//
// chain is a port of libevent's test/bench.c: N socketpairs, A of them
// made active, and W one-byte writes passed along from pipe to pipe by the
// read handlers; it reports the time per run. With few active pipes the
// per-event cost of select and poll grows with N while epoll's does not.
package bench
