//go:build !race

package grading

// raceEnabled reports whether this test binary was built with -race.
const raceEnabled = false
