//go:build !linux

package core

// machineSaturated cannot tell outside Linux: the monitor trusts the
// process's CPU time alone.
func machineSaturated() bool { return false }
