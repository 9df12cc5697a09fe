package tcp

import (
	"time"

	"github.com/reactorlab/reactorlab/reactor"
)

// Producer is something that writes into a transport and can be told to
// hold off: the push producer of Twisted's producer/consumer pair.
//
// Register one with Transport.RegisterProducer. When the transport's output
// buffer grows above the high watermark (64 KiB by default) the transport
// calls PauseProducing; once the buffer drains to the low watermark it calls
// ResumeProducing. When the connection closes it calls StopProducing.
type Producer interface {
	PauseProducing()
	ResumeProducing()
	StopProducing()
}

// RegisterProducer attaches p to this transport (replacing any previous
// producer). If the buffer is already above the high watermark, p is paused
// at once.
func (t *Transport) RegisterProducer(p Producer) {
	if t.closed {
		p.StopProducing()
		return
	}
	t.producer, t.producerPaused = p, false
	t.checkHighWater()
}

// UnregisterProducer detaches the current producer, if any.
func (t *Transport) UnregisterProducer() { t.producer, t.producerPaused = nil, false }

// ProducerPaused reports whether the registered producer is currently paused.
func (t *Transport) ProducerPaused() bool { return t.producer != nil && t.producerPaused }

// checkHighWater pauses the producer once the buffer is too full.
func (t *Transport) checkHighWater() {
	if t.producer != nil && !t.producerPaused && t.BufferedBytes() > t.ep.cfg.highWater {
		t.producerPaused = true
		t.traceText(reactor.KindPaused, "producer")
		t.producer.PauseProducing()
	}
}

// A Transport is itself a producer: pausing it stops reading, so a proxy
// can register its upstream transport as the producer of its downstream one
// and a slow client throttles a fast server.

// PauseProducing stops reading (Producer interface).
func (t *Transport) PauseProducing() { t.PauseReading() }

// ResumeProducing resumes reading (Producer interface).
func (t *Transport) ResumeProducing() { t.ResumeReading() }

// StopProducing closes the connection (Producer interface).
func (t *Transport) StopProducing() { t.LoseConnection() }

// traceQueue reports the output buffer's size against the watermarks
// (KindWriteQueue) when it has changed since the last report. Only a
// connection that buffers pays for it: write-through never gets here
// with anything queued, so its size stays 0 and nothing is traced.
func (t *Transport) traceQueue() {
	n := t.BufferedBytes()
	if n == t.tracedQueue || !t.loop.Tracing() {
		return
	}
	t.tracedQueue = n
	t.loop.Trace(reactor.TraceEvent{Kind: reactor.KindWriteQueue, Fd: int32(t.fd), Label: t.label, N: int64(n),
		Dur2: time.Duration(t.ep.cfg.highWater), Dur3: time.Duration(t.ep.cfg.lowWater)})
}
