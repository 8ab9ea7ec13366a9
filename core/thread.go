package core

import "time"

// execState is what an executor thread is doing.
type execState uint8

const (
	execIdle    execState = iota // waiting for a processor to run
	execRunning                  // serving a processor, or looking for one
	execBlocked                  // inside a call body, waiting as a client
)

// A thread is a Python thread known to the core: a client (the main thread,
// a user thread), an executor (a thread of the pool that runs processors),
// or the spawner (the thread that starts executors when the core asks).
// Each has its own semaphore, which the core posts to wake it.
type thread struct {
	id  int64
	sem *semaphore

	executor bool
	exec     execState
	current  *processor // the processor this executor serves, if any
	assigned *processor // handed over by another thread while idle
	helping  *processor // the processor this thread runs while it waits for it (Help)
	// lastCross is when this executor last entered the core, in
	// nanoseconds of the runtime's clock. An executor that has not
	// entered it for a while is stuck in a long call body (see sysmon).
	lastCross int64

	watch *watch // this thread's wait condition, if it sleeps on one
	// blockedOn is the private queue whose handler this thread waits for
	// (a query, a SYNC), and blocking the clients acting on this thread
	// that it blocks: its own, and the processors whose bodies it runs
	// (deadlock.go).
	blockedOn *privateQueue
	blocking  []int64
	cycle     []int64 // the deadlock the last WaitFor found
}

// touch records that e entered the core now.
func (rt *Runtime) touch(e *thread) { e.lastCross = rt.now() }

// now is the runtime's monotonic clock, in nanoseconds.
func (rt *Runtime) now() int64 { return int64(time.Since(rt.epoch)) }
