package core

import (
	"fmt"
	"slices"
	"time"
)

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
	sem *semaphore // nil for a fiber, which never blocks (fiber.go)

	fiber  *fiber   // set for a fiber: a call body's continuation on a hub
	resume hubQueue // for a hub: its fibers waiting to be resumed

	executor bool
	exec     execState
	current  *processor   // the processor this executor serves, if any
	serveIn  *thread      // the fiber a hub offered for its next processor (NextFor)
	assigned *processor   // handed over by another thread while idle
	helping  []*processor // the processors this thread runs while it waits for them (Help), innermost last
	helper   bool         // a thread that is not an executor, counted in Runtime.running while it helps
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
// active reports whether thread e counts as an active executor: an
// executor serving processors, or another thread while it helps (Help).
func (e *thread) active() bool {
	return (e.executor && e.exec == execRunning) || e.helper
}

// setActive makes thread e, active as active() says, stop or start counting
// as such while it blocks.
func (rt *Runtime) setActive(e *thread, on bool) {
	if e.executor {
		if on {
			e.exec = execRunning
		} else {
			e.exec = execBlocked
		}
	} else {
		e.helper = on
	}
	if on {
		rt.running++
	} else {
		rt.running--
	}
}

// helps reports whether p is the processor thread e helps innermost.
func (e *thread) helps(p *processor) bool {
	n := len(e.helping)
	return n > 0 && e.helping[n-1] == p
}

func (rt *Runtime) touch(e *thread) { e.osThread().lastCross = rt.now() }

// now is the runtime's monotonic clock, in nanoseconds.
func (rt *Runtime) now() int64 { return int64(time.Since(rt.epoch)) }

// NewThread registers a Python thread and returns its id.
func (rt *Runtime) NewThread() int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	t := &thread{id: rt.newID(), sem: getSemaphore()}
	rt.threads[t.id] = t
	return t.id
}

// DropThread forgets thread t, which must not be waiting.
func (rt *Runtime) DropThread(t int64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th := rt.threads[t]
	if th == nil {
		return
	}
	if th.executor {
		rt.retire(th)
	}
	if rt.spawner == th {
		rt.spawner = nil
	}
	rt.unwatch(th)
	rt.unblock(th)
	// A WaitQuiet that timed out leaves its thread among the quiet
	// waiters; posting it later would wake the semaphore's next owner
	// (see semPool) for nothing (TestDropThreadAfterWaitQuietTimeout).
	rt.quietWaiters = slices.DeleteFunc(rt.quietWaiters, func(w *thread) bool { return w == th })
	delete(rt.threads, t)
	if th.sem != nil {
		rt.semMu.Lock() // no post of th.sem is under way (see postUnlocked)
		putSemaphore(th.sem)
		rt.semMu.Unlock()
	}
}

func (rt *Runtime) thread(t int64) (*thread, error) {
	th := rt.threads[t]
	if th == nil {
		return nil, fmt.Errorf("scoop core: unknown thread %d", t)
	}
	return th, nil
}

// Signal posts thread t's semaphore, waking it if it waits.
func (rt *Runtime) Signal(t int64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if th := rt.threads[t]; th != nil {
		th.post()
	}
}

// Wait blocks thread t until its semaphore is posted or timeout passes
// (forever if negative), and reports whether it was posted. A signal
// delivered to the thread also ends the wait early (false), so that a
// Python main thread blocked here still runs its Ctrl-C handler; callers
// wait in a loop and check their own condition.
//
// When t is an executor blocked inside a call body, it stops counting as
// active for the wait, so that ready processors get another executor.
func (rt *Runtime) Wait(t int64, timeout time.Duration) (bool, error) {
	rt.mu.Lock()
	th, err := rt.thread(t)
	if err == nil && th.fiber != nil {
		err = fmt.Errorf("scoop core: fiber %d must Suspend, not Wait", t)
	}
	if err != nil {
		rt.mu.Unlock()
		return false, err
	}
	blocked := th.active()
	if blocked {
		rt.setActive(th, false)
		rt.fillExecutors()
	}
	rt.mu.Unlock()

	ok := th.sem.wait(timeout)

	if blocked {
		rt.mu.Lock()
		rt.setActive(th, true)
		rt.touch(th)
		rt.mu.Unlock()
	}
	return ok, nil
}
