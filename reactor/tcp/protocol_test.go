package tcp

import (
	"errors"
	"net"
	"os"
	"testing"
)

// A factory that panics costs the client its connection, not the server an
// fd: the accepted socket is closed before the panic reaches the loop, so
// the client sees the connection end instead of hanging, and the next
// client is served.
func TestFactoryPanicClosesTheAcceptedSocket(t *testing.T) {
	for _, b := range backends() {
		t.Run(b, func(t *testing.T) {
			loop := startLoop(t, b)
			calls := 0
			ln := listen(t, loop, FactoryFunc(func(net.Addr) Protocol {
				calls++
				if calls == 1 {
					panic("bug in a factory")
				}
				return &Echo{}
			}))
			c := dial(t, ln.Addr())
			_, err := c.Read(make([]byte, 1))
			if err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
				t.Errorf("read from the client whose factory call panicked = %v; want EOF or reset", err)
			}
			g := dial(t, ln.Addr())
			g.Write([]byte("ok"))
			if _, err := g.Read(make([]byte, 2)); err != nil {
				t.Errorf("the next client after the panic: %v; want its echo", err)
			}
		})
	}
}
