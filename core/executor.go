package core

import "fmt"

// The calls of an executor thread: it asks for the next private queue to
// serve (Next), and reports a drained queue (Park) or the end of a
// reservation (Release). A client thread about to wait for a handler that
// no executor runs yet makes the same calls, as a helper (Help).

// BecomeExecutor makes thread t an executor of the pool. It then calls Next.
func (rt *Runtime) BecomeExecutor(t int64) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, err := rt.thread(t)
	if err != nil {
		return err
	}
	if rt.spawning > 0 {
		rt.spawning--
	}
	th.executor = true
	th.exec = execRunning
	rt.running++
	rt.executors[t] = th
	rt.touch(th)
	return nil
}

// Next blocks executor t until a processor is ready and returns the id of
// the private queue to serve, or 0 when the executor must exit.
func (rt *Runtime) Next(t int64) (int64, error) { return rt.NextFor(t, 0) }

// NextFor is Next for an executor that runs call bodies in fibers (a hub):
// the processor it returns is served by fiber f, one of t's (NewFiber), and
// a value at most Resume means "resume the fiber Resume - value", which was
// posted while suspended. A hub resumes its fibers before it serves new
// queues: each holds a call body half done, and reservations with it.
// With f = 0, t serves the processor itself.
func (rt *Runtime) NextFor(t, f int64) (int64, error) { return rt.nextFor(t, f, true) }

// TryNextFor is NextFor that never blocks: it returns Idle where NextFor
// would wait. A hub calls it first, keeping the GIL (a blocking call must
// release it, and a thread waiting for the GIL then takes it: a hand-off
// for nothing when there is work at hand).
func (rt *Runtime) TryNextFor(t, f int64) (int64, error) { return rt.nextFor(t, f, false) }

func (rt *Runtime) nextFor(t, f int64, mayBlock bool) (int64, error) {
	rt.mu.Lock()
	e, err := rt.executor(t)
	if err == nil && f != 0 {
		var fb *thread
		if fb, err = rt.fiberThread(f); err == nil && (fb.fiber.hub != e || fb.current != nil || len(fb.helping) > 0) {
			err = fmt.Errorf("scoop core: fiber %d is not an idle fiber of executor %d", f, t)
		}
		if err == nil {
			e.serveIn = fb
		}
	}
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	rt.touch(e)
	return rt.nextOrIdle(e, nil, mayBlock), nil
}

// ParkNow is Park for a caller that must never block, and so may keep the
// GIL: a fiber, or a thread helping q's handler (both get 0 rather than
// wait for other work). Any other caller is an error.
func (rt *Runtime) ParkNow(t, q int64, mayClose bool, notify int64) (int64, error) {
	if err := rt.neverBlocks(t, q); err != nil {
		return 0, err
	}
	return rt.Park(t, q, mayClose, notify)
}

// ReleaseNow is Release for a caller that must never block (see ParkNow).
func (rt *Runtime) ReleaseNow(t, q int64) (int64, error) {
	if err := rt.neverBlocks(t, q); err != nil {
		return 0, err
	}
	return rt.Release(t, q)
}

func (rt *Runtime) neverBlocks(t, q int64) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, pq := rt.threads[t], rt.queues[q]
	if th == nil || pq == nil || (th.fiber == nil && !th.helps(pq.handler)) {
		return fmt.Errorf("scoop core: thread %d may block serving queue %d: it must Park or Release", t, q)
	}
	return nil
}

func (rt *Runtime) executor(t int64) (*thread, error) {
	e := rt.threads[t]
	if e == nil || !e.executor {
		return nil, fmt.Errorf("scoop core: thread %d is not an executor", t)
	}
	return e, nil
}

// serving checks that thread t (an executor, or a thread helping: see Help)
// serves private queue q at its handler's head.
func (rt *Runtime) serving(t, q int64) (*thread, *privateQueue, error) {
	e, err := rt.thread(t)
	if err != nil {
		return nil, nil, err
	}
	pq := rt.queues[q]
	if pq == nil || pq.handler.executor != e || pq.handler.head() != pq {
		return nil, nil, fmt.Errorf("scoop core: executor %d does not serve queue %d", t, q)
	}
	return e, pq, nil
}

// Park tells the core that executor t found private queue q drained. It
// posts thread notify, if not 0 (a client waiting for the handler to reach
// its sync point), once the outcome below is decided: a notified client
// finds the processor already parked, unless Park returned q or Close.
// Then:
//   - if the client logged more meanwhile, it returns q: serve it again;
//   - if mayClose, q is implicit and another reservation waits behind it,
//     it returns Close: the executor closes q (Release) unless the client
//     logged more;
//   - otherwise the processor parks until its client wakes it, and Park
//     returns the next private queue t must serve, as Next does.
func (rt *Runtime) Park(t, q int64, mayClose bool, notify int64) (int64, error) {
	rt.mu.Lock()
	e, pq, err := rt.serving(t, q)
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	rt.touch(e)
	// The notify thread is posted only after rt.mu is released: posted
	// under the lock, it wakes at once and blocks on rt.mu, and a
	// contended sync.Mutex between threads locked to OS threads costs tens
	// of µs (BenchmarkWakePark/handoff: ~55 µs per round trip, ~12 µs
	// with the post after the unlock).
	var notified *thread
	if notify != 0 {
		notified = rt.holdForPost(rt.threads[notify])
	}
	p := pq.handler
	if p.wakePending {
		p.wakePending = false
		rt.mu.Unlock()
		rt.postUnlocked(notified)
		return q, nil
	}
	if mayClose && pq.implicit && p.contended() {
		rt.mu.Unlock()
		rt.postUnlocked(notified)
		return Close, nil
	}
	helped := e.helps(p)
	rt.leave(e, p)
	rt.setState(p, procParked)
	return rt.after(e, helped, notified), nil
}

// holdForPost returns th, to be posted by postUnlocked once rt.mu is
// released. Called with rt.mu held; th may be nil.
func (rt *Runtime) holdForPost(th *thread) *thread {
	if th != nil && th.sem != nil {
		rt.semMu.RLock() // until posted: see postUnlocked
	}
	return th
}

// postUnlocked posts th, if not nil, after rt.mu was released; the caller
// chose it with holdForPost, under rt.mu, which took rt.semMu for reading.
// That read lock keeps DropThread from recycling th's semaphore (semPool)
// before the post, so that the post cannot wake its next owner early. (A
// fiber's semaphore is not recycled.)
func (rt *Runtime) postUnlocked(th *thread) {
	if th == nil {
		return
	}
	th.post()
	if th.sem != nil {
		rt.semMu.RUnlock()
	}
}

// MaxHelpDepth is how many handlers deep a thread helps (see Help).
const MaxHelpDepth = 8

// Help lets thread t, about to wait until the handler of its private queue
// q reaches q, run that handler itself if no executor runs it yet: the
// handler is ready to run (in the run queue, or handed to an idle executor
// that has not woken up yet), or parked on q itself with calls logged. Under
// the GIL, waking another thread to run calls, then waking this one for the
// answer, costs two thread hand-offs; running them here costs none. This is
// what a waiting thread of a work-stealing pool does with the task it joins.
//
// Help returns the queue t must serve now, as Next does, or 0 when it cannot
// help. A thread serving as a helper gets 0 from Park and Release when it
// leaves the handler: it goes back to its wait, rather than on to another
// processor. A call it runs as a helper may wait in turn, and help again:
// up to MaxHelpDepth handlers deep (each level is a few Python frames on
// the thread's stack), beyond which the thread waits as any other.
func (rt *Runtime) Help(t, q int64) int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, pq := rt.threads[t], rt.queues[q]
	if th == nil || pq == nil || len(th.helping) >= MaxHelpDepth || rt.stopped {
		return 0
	}
	p := pq.handler
	switch {
	case p.state == procReady:
		if !rt.removeRunq(p) {
			return 0
		}
	case p.state == procRunning && p.executor != nil && p.executor.osThread().assigned == p:
		// Its executor has not woken up yet: it will find nothing
		// assigned and look for other work (see next).
		p.executor.osThread().assigned = nil
		p.executor.current = nil
	case p.state == procParked && p.head() == pq:
	default:
		return 0
	}
	p.executor = th
	th.helping = append(th.helping, p)
	if !th.executor && !th.helper && th.fiber == nil {
		// While it runs calls it occupies the GIL as an executor would:
		// calls it makes wake no other executor (MaxActive), whose work
		// the thread would then wait for instead of doing it.
		rt.setActive(th, true)
	}
	rt.setState(p, procRunning)
	rt.touch(th)
	return p.head().id
}

// Release tells the core that executor t reached the end of private queue
// q: the reservation is over. It returns the next private queue t must
// serve, as Next does. When the handler has another startable reservation
// and no other processor waits to run, that is the handler's new head, on
// the same thread.
func (rt *Runtime) Release(t, q int64) (int64, error) {
	rt.mu.Lock()
	e, pq, err := rt.serving(t, q)
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	rt.touch(e)
	p := pq.handler
	helped := e.helps(p)
	rt.popHead(p)
	if len(p.queues) == 0 {
		rt.leave(e, p)
		rt.setState(p, procIdle)
		return rt.after(e, helped, nil), nil
	}
	rt.arrivedAtHead(p.head())
	if !p.headStartable() {
		rt.leave(e, p) // arrivedAtHead made it procWaiting
		return rt.after(e, helped, nil), nil
	}
	if len(rt.runq) > 0 && !rt.stopped && !helped {
		// Others have waited longer: take the first of them, and put p
		// at the back of the line. (A helper goes on with p: the thread
		// waits for p, not for the others.)
		rt.leave(e, p)
		rt.setState(p, procReady)
		rt.runq = append(rt.runq, p)
		return rt.next(e, nil), nil
	}
	// Read the head before unlocking: a concurrent Reserve may append to
	// (and reallocate) p.queues.
	next := p.head().id
	rt.mu.Unlock()
	return next, nil
}

// BecomeSpawner makes thread t the spawner: the thread that starts
// executor threads when the core asks for them (WaitSpawn).
func (rt *Runtime) BecomeSpawner(t int64) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, err := rt.thread(t)
	if err != nil {
		return err
	}
	rt.spawner = th
	return nil
}

// WaitSpawn blocks the spawner until executors are wanted and returns how
// many to start, or -1 once the runtime is stopped.
func (rt *Runtime) WaitSpawn() int64 {
	for {
		rt.mu.Lock()
		sp := rt.spawner
		if rt.stopped || sp == nil {
			rt.mu.Unlock()
			return -1
		}
		if n := rt.spawnRequests; n > 0 {
			rt.spawnRequests = 0
			rt.mu.Unlock()
			return int64(n)
		}
		rt.mu.Unlock()
		sp.sem.wait(-1)
	}
}
