package tcp

import (
	"fmt"
	"net"
	"strings"
	"time"
)

// DefaultSlowDelay is how long the slow protocol blocks the loop per chunk.
const DefaultSlowDelay = 200 * time.Millisecond

// ProtocolOptions tunes the built-in protocols made by NewFactory.
type ProtocolOptions struct {
	SlowDelay  time.Duration // slow: how long each chunk blocks the loop; 0 = DefaultSlowDelay
	MaxLine    int           // chat: line limit; 0 = DefaultMaxLineLength
	MaxMembers int           // chat: members admitted; 0 = DefaultChatMembers
}

// Protocols returns the names of the built-in protocols.
func Protocols() []string { return []string{"echo", "chat", "discard", "slow"} }

// NewFactory returns a factory for a built-in protocol by name.
func NewFactory(name string, o ProtocolOptions) (Factory, error) {
	switch name {
	case "echo":
		return FactoryFunc(func(net.Addr) Protocol { return &Echo{} }), nil
	case "discard":
		return FactoryFunc(func(net.Addr) Protocol { return Discard{} }), nil
	case "chat":
		return (&ChatRoom{MaxLine: o.MaxLine, MaxMembers: o.MaxMembers}).Factory(), nil
	case "slow":
		d := o.SlowDelay
		if d <= 0 {
			d = DefaultSlowDelay
		}
		return FactoryFunc(func(net.Addr) Protocol { return &Slow{Delay: d} }), nil
	}
	return nil, fmt.Errorf("tcp: unknown protocol %q; choose one of %s", name, strings.Join(Protocols(), ", "))
}
