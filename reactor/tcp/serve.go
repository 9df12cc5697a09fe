package tcp

import (
	"fmt"
	"time"
)

// FinalCounters summarises a server's run in one line, for the end of
// `reactorlab serve`: how long it ran, what it accepted and moved, and
// what the loop did.
func FinalCounters(srv *Server, elapsed time.Duration) string {
	c, st := srv.Counters(), srv.Loop().Stats()
	return fmt.Sprintf("stopped after %s: %d accepted, %d refused, %d closed, %d open; "+
		"%d bytes in, %d bytes out; loop: %d passes, %d waits, %d accept, %d read, %d write syscalls; "+
		"output queued: %d bytes at most, %d connections dropped at the ceiling",
		elapsed.Round(time.Millisecond), c.Accepted, c.Refused, c.Closed, c.Open, c.BytesIn, c.BytesOut,
		st.Passes, st.WaitCalls, st.Accepts, st.Reads, st.Writes, c.QueuedPeak, c.OverCeiling)
}
