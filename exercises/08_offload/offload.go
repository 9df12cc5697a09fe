// Package offload is exercise 08: a server whose requests need a slow,
// blocking computation. Run it on the loop and every client waits; move it
// to a goroutine pool with deferred.DeferToGoroutine and the loop stays free
// — but the answers then come back in any order, and each client must still
// get its replies in the order it asked.
//
// Grade it from the exercises/ directory with:
//
//	go test ./08_offload/
package offload

import "github.com/reactorlab/reactorlab/deferred"

// Client is one connection. Reply sends it one line. Like everything that
// touches a connection, call it on the loop goroutine only.
type Client interface {
	Reply(line string)
}

// Work is the slow computation behind a request: a password hash, a disk
// read, a DNS lookup. It blocks for as long as it takes, tens or hundreds of
// milliseconds, and must never run on the loop goroutine: while it runs
// there, the loop serves nobody else. It is safe to call from any goroutine.
type Work func(req string) (string, error)

// Server answers each request with the result of Work.
type Server struct {
	loop deferred.Loop // the reactor loop: DeferToGoroutine delivers results through it
	work Work
	// chains holds, per client, whatever you need to keep its replies in
	// order (for instance a Deferred whose chain is the client's queue).
	chains map[Client]*deferred.Deferred
}

// New returns a Server that runs work for the requests of its clients and
// answers them on loop.
func New(loop deferred.Loop, work Work) *Server {
	return &Server{loop: loop, work: work, chains: map[Client]*deferred.Deferred{}}
}

// Handle is called on the loop goroutine with each request line a client
// sends, and must return at once. Later — on the loop goroutine — the client
// gets exactly one Reply per request, in the order it sent them: the answer
// work(req) returned, or "error: " and the error's message if it failed.
// Requests of different clients do not wait for each other.
func (s *Server) Handle(c Client, req string) {
	// TODO: this answers correctly, but runs the computation ON the loop:
	// while it runs, every other client waits. Run s.work on the pool
	// (deferred.DeferToGoroutine), reply when its Deferred fires, and keep
	// each client's replies in the order of its requests.
	answer, err := s.work(req)
	if err != nil {
		answer = "error: " + err.Error()
	}
	c.Reply(answer)
}
