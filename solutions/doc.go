// Package solutions holds the reference solutions to the graded exercises in
// exercises/ (a nested Go module) and the project's honesty check.
//
// Each solutions/NN_topic/ directory mirrors exercises/NN_topic/ file for
// file: the solution file has the same name and package as the stub it
// replaces, plus comments explaining why it works. The solutions compile as
// part of the root module, but they carry no tests of their own: they are
// graded by the exercise's tests.
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
//     HINTS.md with at least two hint tiers, a "// TODO:" in the stub, and
//     no build tags in learner files.
//
// Because it grades the shipped stubs rather than the working copy, a learner
// who solves exercises in their checkout keeps the root module's
// `go test ./...` green. It runs `go test` subprocesses, so the grading part is
// skipped under -short.
package solutions
