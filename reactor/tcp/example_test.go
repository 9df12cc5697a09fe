package tcp_test

import (
	"bufio"
	"bytes"
	"fmt"
	"net"

	"github.com/reactorlab/reactorlab/reactor"
	"github.com/reactorlab/reactorlab/reactor/tcp"
)

// shout is a protocol: it answers every chunk it receives in upper case.
type shout struct{ t *tcp.Transport }

func (s *shout) ConnectionMade(t *tcp.Transport) { s.t = t }
func (s *shout) DataReceived(b []byte)           { s.t.Write(bytes.ToUpper(b)) }
func (s *shout) ConnectionLost(error)            {}

// A server is a loop, a listener and a factory of protocols. The client here
// is plain Go networking on another goroutine.
func Example() {
	loop, _ := reactor.New(reactor.Config{})
	defer loop.Close()
	ln, err := tcp.ListenTCP(loop, "127.0.0.1:0", tcp.FactoryFunc(func(net.Addr) tcp.Protocol { return &shout{} }))
	if err != nil {
		fmt.Println(err)
		return
	}
	go func() {
		c, _ := net.Dial("tcp", ln.Addr().String())
		fmt.Fprintln(c, "hello, reactor")
		reply, _ := bufio.NewReader(c).ReadString('\n')
		fmt.Print(reply)
		c.Close()
		loop.CallFromGoroutine(func() { ln.Close(); loop.Stop() })
	}()
	loop.Run()
	// Output: HELLO, REACTOR
}
