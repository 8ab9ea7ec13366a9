package core

import (
	"fmt"
	"sync"
	"time"
)

// Fibers: call bodies that wait without holding an OS thread.
//
// An executor thread (a hub) runs processors' call bodies in fibers, which
// are greenlets on the Python side. A fiber is a thread of the core in every
// respect but one: it never blocks. When a body running in a fiber must wait
// (WaitFor, Suspend), the fiber is suspended instead, and the Python side
// switches back to the fiber's hub, which goes on with the next ready
// processor or resumable fiber (NextFor). Posting a suspended fiber makes it
// resumable on its hub, and wakes the hub if it is idle: a greenlet can only
// run on the OS thread that made it, so a fiber never moves to another hub.
//
// Under the GIL this is what makes waiting cheap: resuming a fiber is a
// greenlet switch on the hub's own thread (a fraction of a microsecond),
// where waking a blocked thread is a GIL hand-off (25–30 µs measured).

// Resume is the largest value NextFor returns to tell a hub to resume a
// fiber rather than serve a queue: the fiber's thread id is Resume - value.
const Resume int64 = -16

// Suspended is what WaitFor returns to a fiber that must switch to its hub:
// it was registered as waiting, and NextFor resumes it once posted.
const Suspended int64 = -5

// A fiber is the part of a thread that only fibers have: a semaphore that
// never blocks, kept by its hub.
type fiber struct {
	hub *thread
	// count is the semaphore's value: posts not consumed yet.
	count     int
	suspended bool
	timer     *time.Timer // wakes a suspended fiber whose wait has a timeout
}

// A hubQueue holds the fibers of one hub that were posted while suspended,
// until the hub resumes them. Its mutex is taken after Runtime.mu, never
// before: posts happen both under Runtime.mu and outside it (postUnlocked).
type hubQueue struct {
	mu    sync.Mutex
	ready []*thread // posted fibers, in the order they were posted
	// yielded are fibers that gave the thread up for a while (Yield): they
	// resume after the processors waiting in the run queue.
	yielded []*thread
	// parked counts the hub's fibers that are suspended or ready: each holds
	// a call body in progress, so the hub must not retire.
	parked int
	idle   bool // the hub waits on its semaphore in next
}

// NewFiber registers a fiber of hub t and returns its thread id.
func (rt *Runtime) NewFiber(t int64) (int64, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	hub, err := rt.thread(t)
	if err != nil {
		return 0, err
	}
	if hub.fiber != nil {
		return 0, fmt.Errorf("scoop core: fiber %d cannot be a hub", t)
	}
	f := &thread{id: rt.newID(), fiber: &fiber{hub: hub}}
	rt.threads[f.id] = f
	return f.id, nil
}

// post is a semaphore post for thread th: it wakes th if it waits.
func (th *thread) post() {
	if f := th.fiber; f != nil {
		f.post(th)
		return
	}
	th.sem.post()
}

func (f *fiber) post(th *thread) {
	h := &f.hub.resume
	h.mu.Lock()
	f.count++
	wake := false
	if f.suspended {
		f.suspended = false
		if f.timer != nil {
			f.timer.Stop()
			f.timer = nil
		}
		h.ready = append(h.ready, th)
		wake = h.idle
		h.idle = false
	}
	h.mu.Unlock()
	if wake {
		f.hub.sem.post()
	}
}

// suspend takes a post of fiber th if one is pending and reports true, or
// suspends th and reports false: the caller then switches to the hub, which
// resumes th once it is posted, or after timeout if it is not negative.
func (f *fiber) suspend(th *thread, timeout time.Duration) bool {
	h := &f.hub.resume
	h.mu.Lock()
	defer h.mu.Unlock()
	if f.count > 0 {
		f.count--
		return true
	}
	f.suspended = true
	h.parked++
	if timeout >= 0 {
		f.timer = time.AfterFunc(timeout, func() { f.post(th) })
	}
	return false
}

// popReady takes the fiber that was posted first, consuming that post, or
// returns nil.
func (h *hubQueue) popReady() *thread {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ready) == 0 {
		return nil
	}
	th := h.ready[0]
	h.ready[0] = nil
	h.ready = h.ready[1:]
	th.fiber.count--
	h.parked--
	return th
}

// popYielded takes the fiber that yielded first, or returns nil.
func (h *hubQueue) popYielded() *thread {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.yielded) == 0 {
		return nil
	}
	th := h.yielded[0]
	h.yielded[0] = nil
	h.yielded = h.yielded[1:]
	h.parked--
	return th
}

// Yield suspends fiber t, which has run a while, until the processors now
// waiting in the run queue have had a turn: a fiber runs until it waits, so
// a body that logs calls in a long loop would otherwise keep its hub from
// running them until it ends (SPEC §2: a logged call runs promptly). The
// caller switches to its hub, which resumes t after the run queue.
func (rt *Runtime) Yield(t int64) error {
	rt.mu.Lock()
	th, err := rt.fiberThread(t)
	rt.mu.Unlock()
	if err != nil {
		return err
	}
	h := &th.fiber.hub.resume
	h.mu.Lock()
	h.yielded = append(h.yielded, th)
	h.parked++
	h.mu.Unlock()
	return nil
}

// hasReady reports whether a fiber waits to be resumed.
func (h *hubQueue) hasReady() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.ready) > 0
}

// goIdle marks the hub as about to wait on its semaphore, unless a fiber is
// ready (false).
func (h *hubQueue) goIdle() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.ready) > 0 {
		return false
	}
	h.idle = true
	return true
}

func (h *hubQueue) wake() {
	h.mu.Lock()
	h.idle = false
	h.mu.Unlock()
}

func (h *hubQueue) holdsBodies() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.parked > 0
}

// Suspend is Wait for a fiber: it reports whether fiber t was posted
// already (1, the post is consumed), or suspends it (0): the caller switches
// to its hub, which resumes it when it is posted or after timeout (forever
// if negative). The caller checks its own condition when it resumes.
func (rt *Runtime) Suspend(t int64, timeout time.Duration) (int64, error) {
	rt.mu.Lock()
	th, err := rt.fiberThread(t)
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	rt.mu.Unlock()
	if th.fiber.suspend(th, timeout) {
		return 1, nil
	}
	return 0, nil
}

func (rt *Runtime) fiberThread(t int64) (*thread, error) {
	th, err := rt.thread(t)
	if err != nil {
		return nil, err
	}
	if th.fiber == nil {
		return nil, fmt.Errorf("scoop core: thread %d is not a fiber", t)
	}
	return th, nil
}

// osThread returns the OS thread th runs on: its hub for a fiber.
func (th *thread) osThread() *thread {
	if th.fiber != nil {
		return th.fiber.hub
	}
	return th
}

// SuspendFor is WaitFor for fiber t: it never blocks, and returns
// Suspended when the fiber must switch to its hub.
func (rt *Runtime) SuspendFor(t, q int64, clients []int64) (int64, error) {
	rt.mu.Lock()
	_, err := rt.fiberThread(t)
	rt.mu.Unlock()
	if err != nil {
		return 0, err
	}
	return rt.WaitFor(t, q, clients, -1)
}
