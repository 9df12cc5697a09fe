package main

import "runtime/debug"

// releaseStartupMemory gives back to the kernel the memory that starting
// the program left resident but a headless server does not use.
//
// The binary links the whole lab, and Go runs every linked package's
// initialisation before main, whichever command runs: chroma's lexers and
// styles, bluemonday and goldmark (glamour's dependencies, for the
// lessons' prose) allocate ~6 MB of heap at start-up, most of it garbage
// at once, and their code and tables are read from the executable. A
// headless server never touches either again. FreeOSMemory returns the
// heap pages the garbage left; on Linux the executable's read-only pages
// go too (startup_memory_linux.go). Together they take `serve --headless`
// from ~19 to ~12 MiB RSS; docs/BENCHMARKS.md has the figures.
func releaseStartupMemory() {
	debug.FreeOSMemory()
	dropExecutablePages()
}
