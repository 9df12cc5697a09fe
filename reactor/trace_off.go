//go:build reactor_notrace

package reactor

const traceCompiled = false
