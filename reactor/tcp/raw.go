package tcp

import "net"

// The raw calls below are for code that drives its own fds on a loop and
// wants none of Listener, Transport or Protocol: the lessons' hand-written
// servers, which lessons break on purpose one syscall at a time. They make
// the same sockets the Listener does — non-blocking and close-on-exec from
// birth where the system allows, with SIGPIPE suppressed — so that such
// code need not repeat the per-platform details.

// ListenRaw opens a listening socket on addr ("host:port"; port 0 picks a
// free port) and returns its fd and the bound address. The caller owns
// the fd: register it with a loop, and close it (through its
// Registration) when done.
func ListenRaw(addr string) (int, *net.TCPAddr, error) {
	a, err := resolve(addr)
	if err != nil {
		return -1, nil, err
	}
	return listenSocket(a, DefaultBacklog)
}

// AcceptRaw takes one queued connection from the listening socket lfd and
// returns its fd (non-blocking, close-on-exec, Nagle off) and the peer's
// address. The errno comes back as is, unwrapped, so the caller can tell
// EAGAIN (nobody queued) and EMFILE (out of fds) from the rest.
func AcceptRaw(lfd int) (int, *net.TCPAddr, error) {
	fd, sa, err := accept(lfd)
	if err != nil {
		return -1, nil, err
	}
	setNoDelay(fd)
	return fd, tcpAddr(sa), nil
}

// SendRaw writes p to the socket fd once, as a Transport does: a peer that
// has gone away is an EPIPE error, never a SIGPIPE. The errno comes back
// as is (EAGAIN: the socket's buffer is full).
func SendRaw(fd int, p []byte) (int, error) { return send(fd, p) }

// SendCall names the syscall SendRaw makes ("sendto", or "write" where
// the socket itself suppresses SIGPIPE), for error messages.
func SendCall() string { return sendCall }
