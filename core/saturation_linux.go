package core

import (
	"bytes"
	"os"
	"runtime"
	"strconv"
)

// machineSaturated reports whether more threads are ready to run on this
// machine than it has CPUs (procs_running in /proc/stat): then a process
// that gets little CPU may be starved, not blocked.
func machineSaturated() bool {
	stat, err := os.ReadFile("/proc/stat")
	if err != nil {
		return false
	}
	running, ok := procsRunning(stat)
	return ok && running > runtime.NumCPU()
}

// procsRunning reads the procs_running line of /proc/stat.
func procsRunning(stat []byte) (int, bool) {
	for line := range bytes.SplitSeq(stat, []byte("\n")) {
		if rest, found := bytes.CutPrefix(line, []byte("procs_running ")); found {
			n, err := strconv.Atoi(string(bytes.TrimSpace(rest)))
			return n, err == nil
		}
	}
	return 0, false
}
