// Package tcp puts TCP connections on the reactor: raw non-blocking sockets
// driven by a reactor.Loop, with Twisted's split between a Transport (the
// reactor's side: the socket and its buffers) and a Protocol (your side:
// what to do with the bytes).
//
// One goroutine — the loop's — serves every connection. Nothing here wraps a
// socket in net.Conn or os.File: accept4, read, send, shutdown and close
// are real syscalls on real fds, and every one of them shows up in the
// loop's counters and trace.
//
// # Protocols and factories
//
// A Protocol gets three calls, all on the loop goroutine:
//
//	ConnectionMade(t *Transport) // keep t: it is how you write and close
//	DataReceived(data []byte)    // any chunking: half a message, or three
//	ConnectionLost(reason error) // ErrConnectionDone, ErrConnectionReset, ErrAborted, ...
//
// DataReceived gets whatever one read(2) returned. TCP is a byte stream:
// the peer's two writes of "hel" and "lo\n" may arrive as "hello\n", or as
// "h", "ello", "\n". Frame your messages yourself — LineFramer and
// LineProtocol do it for lines.
//
// A Factory builds one Protocol per connection; ListenTCP calls it for each
// accepted client, ConnectTCP once.
//
// # Writing without blocking
//
// Transport.Write first tries the socket directly. Only the bytes the kernel
// would not take are copied into the transport's buffer, and only then does
// the transport ask the loop to watch the fd for writability; when the
// buffer drains it stops asking. A connection whose peer keeps up never
// costs a register or modify call.
//
// # Backpressure
//
// A fast producer writing to a slow client would buffer without limit. A
// Producer registered on a transport is paused when more than the high
// watermark (64 KiB by default) is buffered and resumed once the buffer
// drains to the low watermark. A Transport is itself a Producer — pausing it
// stops reading — so a proxy registers its upstream transport as the
// producer of its downstream one, and a slow reader at one end slows the
// writer at the other, through TCP flow control, with bounded memory.
//
// A transport can be its own producer, and the built-in protocols make it
// so: an echo client that sends and never reads has its reading paused
// once 64 KiB of echo waits for it, so it costs the server at most the
// watermark plus the replies to one read, however long it keeps sending.
//
// # Hostile clients
//
// Per-connection bounds do not bound a server: many clients that each stop
// just short of theirs still add up. A listener counts the output queued
// for all its connections (Counters.Queued, QueuedPeak) and will not queue
// past a ceiling (WithOutputCeiling, 64 MiB by default): the write that
// would cross it resets its own connection instead, with a reason matching
// ErrOutputCeiling in the trace and a count in Counters.OverCeiling.
//
// The chat room (ChatRoom) adds the defences a relay needs: what it
// relays is printable text, with control bytes and broken UTF-8 shown
// escaped, so no member can clear another's screen or fake a line; it
// admits a bounded number of members and tells the next one the room is
// full; it announces joins and leaves in batches, so a crowd arriving
// costs the loop O(1) per member rather than O(N); and a member that falls
// too far behind is dropped (ErrFellBehind) rather than buffered for.
//
// # Fairness: the read budget
//
// On each readiness event a connection reads until the socket is empty or
// it has read its budget (256 KiB by default, WithReadBudget). Without a
// budget one client that never stops sending would keep the loop in its
// handler and every other client would wait.
//
// # Closing: lingering, half-close, reset
//
// LoseConnection flushes what was written, sends FIN (shutdown SHUT_WR)
// and closes the socket. If the peer has sent input the protocol never
// read — a pipelined request, the rest of a too-long line — closing at once
// would make the kernel answer with a reset, and a reset destroys the reply
// still on its way. So the transport lingers, as nginx's lingering_close
// does: it reads and discards until the peer closes too, or until the
// linger timeout (WithLinger, 2 s by default) passes. CloseWrite is the
// half-close on its own: FIN after the pending output, reading goes on.
// Abort resets at once. A socket write to a peer that has gone away is an
// EPIPE error for the transport (send with MSG_NOSIGNAL on Linux,
// SO_NOSIGPIPE elsewhere), never a SIGPIPE for the program.
//
// Every transport holds its reactor.Registration from start to close and
// closes through it: deregister, then close(2). While it wants neither to
// read nor to write (reading paused, nothing buffered) the registration is
// parked with interest 0, so a reset peer cannot make the loop spin.
//
// # Addresses
//
// Like net.Listen, a wildcard listen address (":7000", "0.0.0.0:7000",
// "[::]:7000") serves IPv6 and IPv4 on one socket where the system has
// IPv6, and an IPv6 zone is kept, given by interface name or number
// ("[fe80::1%eth0]:7000", "[fe80::1%2]:7000").
//
// # Running out of file descriptors
//
// When accept4 fails with EMFILE the client stays queued in the kernel, the
// listening socket stays readable, and a naive loop spins at 100% CPU
// accepting nothing. A Listener keeps one spare fd open on /dev/null; when
// it runs out it closes the spare, accepts the client, closes it at once
// (traced as "refused: out of file descriptors") and takes the spare back.
// Existing clients carry on, and accepting resumes by itself once fds are
// freed. (accept4 reports EMFILE before it looks at the queue, so the
// spare's accept may find nobody waiting: that ends the batch, nothing
// more. Only when the spare itself is lost does the listener stop watching
// its socket for 100 ms.) Listener.SetFDGuard(false) switches all this off,
// so a lesson can show the spin it prevents.
//
// # Threads
//
// Transports, listeners and protocols belong to their loop's goroutine. To
// act on them from elsewhere, pass a function to Loop.CallFromGoroutine.
// Counters are atomics and may be read from anywhere.
package tcp
