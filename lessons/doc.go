// Package lessons is reactorlab's curriculum: an ordered manifest of
// lessons, each made of short pages of prose and a live scenario that runs a
// real reactor beside them.
//
// # A lesson
//
// A lesson has three parts:
//
//   - its prose, an embedded Markdown file content/NN-slug.md written in the
//     second person. NN orders the curriculum and slug names the lesson on
//     the command line. Like a Go Tour article the file states its own
//     facts: it opens with a "# Title" line and a one-line summary
//     paragraph; every "## " heading after them starts a new page. Each
//     page ends with a "> **Try this:**" block: something the learner can
//     do right now, usually a key to press while watching a pane;
//   - its scenario (see [Scenario]), the one thing kept in Go: which
//     backend the reactor starts on, which server ([Protocol]) it runs, how
//     many simulated clients connect at the start, which panes sit beside
//     the prose, which live controls the footer offers and which of the
//     lesson's own injectors (injectors.go: faults and fixes done for real
//     on the scenario's fds) it adds.
//
// The manifest (manifest.go) maps each slug to its scenario, so adding a
// lesson is one Markdown file plus one entry; a test checks that files and
// entries match and that every key a "Try this" names is one the lesson
// offers.
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
