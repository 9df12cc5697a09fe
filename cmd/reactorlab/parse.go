package main

import (
	"flag"
	"fmt"
	"strings"
	"time"
)

// usageError is a mistake on the command line: an unknown flag or
// command, a value that does not parse or is out of range, a missing or
// extra argument. main prints it on one line, then a hint to the
// command's help, and exits with status 2. It is the only usage error
// type: the packages below cmd/reactorlab know nothing of command lines.
type usageError struct {
	cmd string // the command's path ("bench wait"); "" at the top level
	msg string
}

func (e *usageError) Error() string {
	if e.cmd == "" {
		return e.msg
	}
	return e.cmd + ": " + e.msg
}

// hint is the line printed after the error.
func (e *usageError) hint() string {
	if e.cmd == "" || e.cmd == "help" {
		return "Run 'reactorlab --help' for usage."
	}
	return "Run 'reactorlab " + e.cmd + " --help' for usage."
}

// usagef returns a usage error; the command it came from fills in its name.
func usagef(format string, args ...any) error {
	return &usageError{msg: fmt.Sprintf(format, args...)}
}

// isFlag reports whether a command-line word is a flag. "-" alone and
// negative numbers ("lesson -1") are arguments, so they get the command's
// own message ("no lesson -1") rather than "unknown flag".
func isFlag(a string) bool {
	if len(a) < 2 || a[0] != '-' {
		return false
	}
	return !(a[1] >= '0' && a[1] <= '9')
}

func isHelpFlag(a string) bool {
	return a == "-h" || a == "-help" || a == "--help"
}

// dashed spells a flag name as help prints it: --long, -s.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// parseArgs sets the flags in args on fs and returns the other arguments.
// Flags may come anywhere ("reset 1 --yes" and "--yes reset 1"), as
// -x, --name, --name=value or --name value; "--" ends them. -h or --help
// returns flag.ErrHelp. Every mistake is a one-line usage error naming the
// flag, never the flag package's usage dump.
func parseArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			return append(pos, args[i+1:]...), nil
		}
		if !isFlag(a) {
			pos = append(pos, a)
			continue
		}
		if isHelpFlag(a) {
			return nil, flag.ErrHelp
		}
		name, value, hasValue := strings.Cut(strings.TrimPrefix(a[1:], "-"), "=")
		f := fs.Lookup(name)
		if f == nil || name == "" || name[0] == '-' {
			typed, _, _ := strings.Cut(a, "=")
			return nil, usagef("unknown flag %s", typed)
		}
		if isBoolFlag(f) {
			if !hasValue {
				value = "true"
			}
		} else if !hasValue {
			if i+1 == len(args) {
				return nil, usagef("%s needs a value: %s", dashed(name), placeholder(f))
			}
			i++
			value = args[i]
		}
		if err := fs.Set(name, value); err != nil {
			return nil, usagef("%s %q: %s", dashed(name), value, badValue(f, err))
		}
	}
	return pos, nil
}

func isBoolFlag(f *flag.Flag) bool {
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// placeholder is the flag's value as help shows it: the `word` quoted in
// its usage, or its type.
func placeholder(f *flag.Flag) string {
	name, _ := flag.UnquoteUsage(f)
	return name
}

// badValue says what a flag wanted when its value did not parse. The flag
// package only says "parse error".
func badValue(f *flag.Flag, err error) string {
	g, ok := f.Value.(flag.Getter)
	if !ok {
		return err.Error()
	}
	switch g.Get().(type) {
	case bool:
		return "want true or false"
	case int, int64, uint, uint64:
		if strings.Contains(err.Error(), "range") {
			return "out of range"
		}
		return "want a whole number"
	case float64:
		return "want a number"
	case time.Duration:
		return "want a duration such as 500ms, 2s or 1m"
	}
	return err.Error()
}
