// Package reactor is a real single-threaded event loop (a "reactor") built
// directly on select, poll and epoll through golang.org/x/sys/unix.
package reactor
