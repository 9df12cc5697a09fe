//go:build unix && !linux

package lessons

// fionread asks a socket how many bytes wait in its receive queue:
// FIONREAD, _IOR('f', 127, int) on macOS and the BSDs (x/sys/unix does
// not name it there).
const fionread = 0x4004667f
