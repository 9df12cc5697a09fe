// Package solutions holds the reference solutions to the graded exercises in
// exercises/ (a nested Go module), the wrong answers learners plausibly
// write, and the project's honesty check.
//
// Each solutions/NN_topic/ directory mirrors exercises/NN_topic/ file for
// file: the solution file has the same name and package as the stub it
// replaces, plus comments explaining why it works. Next to it,
// wrong_test.go keeps the plausible wrong solutions as tests: each is the
// reference solution with a small edit (closing the fd at end of file, a
// zero select timeout, the timeout added after the errback, ...), and the
// test grades it and asserts the grader fails it with a first message that
// names the mistake — and, for a solution that spins, blocks or deadlocks,
// within the grader's guard of a few seconds.
//
// check_test.go keeps the exercises honest. For every exercise it copies
// exercises/ into a temporary directory, puts back the SHIPPED stubs (the
// pristine copies embedded in lessons/exercises, the ones `reactorlab
// exercises` restores on reset) and checks that
//
//   - the shipped stub FAILS its tests (tests run and fail; a build error
//     does not count),
//   - the stub with the solution laid over it PASSES,
//   - the exercise has a README.md that prints its grading command, a
//     HINTS.md with at least two hint tiers, a "// TODO:" in the stub, a
//     wrong_test.go beside its solution, and no build tags in learner files.
//
// Because it grades the shipped stubs rather than the working copy, a learner
// who solves exercises in their checkout keeps the root module's
// `go test ./...` green. Both run `go test` subprocesses (see
// internal/grading), so they are skipped under -short, and under -race, which
// the graded test binaries are not built with.
package solutions
