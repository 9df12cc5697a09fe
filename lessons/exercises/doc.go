// Package exercises runs reactorlab's graded exercises: `reactorlab
// exercises` lists them with progress, `reactorlab exercises check` grades
// them all without a terminal, and `reactorlab exercises watch` re-grades the
// current one whenever its files change.
//
// # Where the exercises live
//
// The exercises are not in this package: they are the nested Go module in
// the repository's exercises/ directory (one NN_topic/ folder each, with a
// stub, its tests, README.md and HINTS.md), so that the root module's
// `go test ./...` stays green while every stub fails as shipped. Grading runs
// `go test -json` in that directory and reads the structured result, so the
// runner needs a reactorlab checkout: it finds one by walking up from the
// working directory to a folder holding exercises/go.mod.
//
// # Pristine copies for reset
//
// Resetting an exercise restores its stub from a copy embedded in the binary.
// The embed directive cannot reach into exercises/ (another module, and outside this
// package's directory), so pristine/ holds a generated copy of every stub,
// named NN_topic/file.go.txt so the Go tool does not compile it. Regenerate it
// after changing a stub with
//
//	go generate ./lessons/exercises/
//
// TestPristineMatchesExercises fails when the copy drifts from the stubs
// committed in exercises/. It compares with git's HEAD rather than the working
// copy, so a learner solving exercises in their checkout does not break the
// root module's `go test ./...`.
//
// # Progress
//
// Progress (which exercises passed, which one is current) is a small text file
// under $XDG_STATE_HOME/reactorlab (default ~/.local/state/reactorlab).
package exercises
