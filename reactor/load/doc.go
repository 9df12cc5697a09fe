// Package load is reactorlab's load generator (behind `reactorlab load`):
// it plays the clients that hammer a server so you can see how the reactor
// copes. Fill in Options (start from DefaultOptions) and call Run.
//
// It deliberately uses plain Go networking (net.Conn, one goroutine per
// connection): the thing under test is the server, and the Go runtime's
// netpoller is a well-understood, efficient client.
//
// # Modes
//
// In echo mode every active connection sends a message of Options.Size
// bytes and waits for the same bytes to come back; the time between the two
// is one latency sample. In stream mode every active connection writes as fast as it
// can (or at Options.Rate) and counts what comes back, which suits the discard
// protocol and firehose experiments.
//
// # Open loop versus closed loop
//
// Without a Rate each connection sends its next request as soon as the
// previous reply arrives (closed loop). That measures service time, but it
// understates latency under load: when the server stalls, the client stops
// sending, so the stall shows up as one slow sample instead of many
// ("coordinated omission"). With a Rate of R the requests are scheduled in
// advance at a fixed total rate (open loop) and each latency is measured from
// the moment the request was due, not from when it was actually written, so a
// stalled server is charged for every request it delayed.
//
// # Idle connections
//
// Options.Idle = M opens M extra connections that never send anything.
// They cost a select- or poll-based server work on every pass, which is
// exactly what the epoll lessons measure.
package load
