// Package lessons is reactorlab's curriculum: an ordered manifest of
// lessons, each made of short pages of prose and a live scenario that runs a
// real reactor beside them.
//
// # A lesson
//
// A lesson has three parts:
//
//   - its prose, an embedded Markdown file content/NN-slug.md written in the
//     second person. The file starts with a "# Title" line; every "## "
//     heading after it starts a new page. Each page ends with a
//     "> **Try this:**" block: something the learner can do right now,
//     usually a key to press while watching a pane;
//   - its scenario (see [Scenario]): which backend the reactor starts on,
//     which server protocol it runs, how many simulated clients connect at
//     the start, which panes sit beside the prose and which live controls
//     the footer offers;
//   - its "try this" prompts, taken from the end of each page.
//
// The manifest ([Lessons]) is a plain Go slice, so the order is the
// curriculum order and adding a lesson is one entry plus one Markdown file.
//
// # The scenario driver
//
// [Start] builds a [Driver]: a reactor.Loop on the chosen backend, a TCP
// server on 127.0.0.1 with a kernel-chosen port, and one goroutine that
// drives the loop pass by pass with Iterate instead of Run. Driving each pass
// ourselves is what makes pause, single-step and slow motion real: when the
// learner pauses, the loop stops calling the kernel at all.
//
// Simulated clients are ordinary Go net.Conn dialers on the other end of
// real loopback sockets; only the server side lives on the reactor.
//
// # Deferred chains
//
// The "lookup" server (lesson 3) answers each line through a Deferred chain
// on the loop's clock: parse, a slow lookup that returns its own Deferred,
// a timeout, an errback that recovers, the reply. Every Deferred is fired
// on the loop goroutine. A [visualizer.ChainRecorder] observes them, and
// the Live that Lesson.Start returns for such a scenario is also a
// [visualizer.ChainSource], which is what puts the chain pane on screen.
//
// # Entry points
//
// cmd/reactorlab calls these: [WriteList] prints the lesson list (no
// terminal needed), [Open] opens one lesson, [Home] opens the shell on the
// lesson list and [Dashboard] opens every pane over a running server.
package lessons
