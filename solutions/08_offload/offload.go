// Package offload is the solution to exercise 08_offload: the blocking work
// runs on the pool (DeferToGoroutine), its result comes back on the loop,
// and one Deferred per client, used as a queue, keeps that client's replies
// in the order of its requests.
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
	// Start the work NOW, on a pool goroutine: requests of the same client
	// compute side by side, only their replies wait their turn. The
	// function runs off the loop, so it may block; it touches nothing the
	// loop owns — not c, not a Deferred — and hands its result back by
	// returning it: the pool carries it to the loop (CallFromGoroutine)
	// and fires work there.
	work := deferred.DeferToGoroutine(s.loop, func() (any, error) { return s.work(req) })

	// The client's queue is a Deferred that has already fired; its chain
	// runs each step as soon as it can, in the order steps were added.
	chain := s.chains[c]
	if chain == nil {
		chain = deferred.Succeed(nil)
		s.chains[c] = chain
	}

	// Step 1: wait for this request's work. Returning a Deferred from a
	// step pauses the chain until that Deferred fires — after the steps
	// of the client's earlier requests, which were added first. So a
	// request that finishes early waits for its elders, and one that
	// finishes late holds back only its own client's later replies.
	chain.AddCallback(func(any) (any, error) { return work, nil })

	// Step 2: reply, on the loop goroutine (the chain runs where work
	// fired). One step with both functions: a failed Work gets an error
	// reply. The errback RETURNS A VALUE, which handles the failure and
	// puts the chain back on the callback track — returning the failure
	// would skip step 1 of every later request, and the client would never
	// hear from us again.
	chain.AddCallbacks(
		func(v any) (any, error) {
			c.Reply(v.(string))
			return nil, nil
		},
		func(f *deferred.Failure) (any, error) {
			c.Reply("error: " + f.Error())
			return nil, nil
		},
	)
}
