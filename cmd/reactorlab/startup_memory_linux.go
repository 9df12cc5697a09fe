//go:build linux

package main

import (
	"bufio"
	"bytes"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// dropExecutablePages tells the kernel this process no longer needs the
// pages of its executable's read-only mappings (code and constant data)
// resident: madvise(MADV_DONTNEED). They are clean copies of the file, so
// nothing is lost: they stay in the page cache, and a page the server uses
// again comes back on a minor fault, with its neighbours (the kernel maps
// up to 64 KiB around each fault). That fault-around is also why start-up
// left ~12 MB of the 18 MB binary resident: package initialisation touches
// a little code in every package, and each touch maps its neighbourhood.
// Writable mappings (initialised data) are left alone: dropping a page
// this process wrote would lose the write.
func dropExecutablePages() {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		return
	}
	// Each line: start-end perms offset dev inode path
	sc := bufio.NewScanner(bytes.NewReader(maps))
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 6 || string(bytes.Join(f[5:], []byte(" "))) != exe || len(f[1]) < 2 || f[1][1] != '-' {
			continue
		}
		lo, hi, ok := bytes.Cut(f[0], []byte("-"))
		if !ok {
			continue
		}
		start, err1 := strconv.ParseUint(string(lo), 16, 64)
		end, err2 := strconv.ParseUint(string(hi), 16, 64)
		if err1 != nil || err2 != nil || end <= start {
			continue
		}
		// Not a Go slice: the range belongs to the loader, not the heap.
		unix.Syscall(unix.SYS_MADVISE, uintptr(start), uintptr(end-start), unix.MADV_DONTNEED)
	}
}
