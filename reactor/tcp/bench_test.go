package tcp

import (
	"io"
	"net"
	"testing"
)

// BenchmarkEchoRoundTrip measures one 64-byte request/response through the
// echo protocol on the default backend (client and loop in one process, so
// this is for allocation counts and profiles, not for comparisons; see
// internal/echobench for those).
func BenchmarkEchoRoundTrip(b *testing.B) {
	loop := startLoopB(b)
	f, _ := NewFactory("echo", ProtocolOptions{})
	var ln *Listener
	onLoop(loop, func() { ln, _ = ListenTCP(loop, "127.0.0.1:0", f) })
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	msg, reply := make([]byte, 64), make([]byte, 64)
	b.ReportAllocs()
	for b.Loop() {
		c.Write(msg)
		if _, err := io.ReadFull(c, reply); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	onLoop(loop, func() { ln.Close() })
}
