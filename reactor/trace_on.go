//go:build !reactor_notrace

package reactor

// traceCompiled is false only in the `reactor_notrace` build, which exists
// to measure what the (idle) trace hooks cost: BENCHMARKS.md compares the
// two builds.
const traceCompiled = true
