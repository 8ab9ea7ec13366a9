package core

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
)

// Close is what Park returns when the executor must close the implicit
// private queue it serves instead of parking on it: it is drained and
// another reservation waits behind it.
const Close int64 = -1

// ErrStopped is returned by calls on a runtime after Shutdown.
var ErrStopped = errors.New("scoop: runtime stopped")

// Options tune a Runtime. The zero value of a field means its default.
type Options struct {
	// MaxActive is how many executors may run call bodies at once
	// (default 1: under the GIL more would only add hand-offs).
	MaxActive int
	// StallAfter is how long every active executor may stay out of the
	// core, while processors wait to run, before the monitor adds an
	// executor (default 20ms). From Go, an executor waiting for the GIL
	// looks the same as one stuck in a long call body; CPython hands the
	// GIL over every 5ms, so a threshold of several switch intervals keeps
	// the monitor from adding executors that would only fight for the GIL.
	StallAfter time.Duration
	// IdleRetire is how long an executor stays idle before it retires,
	// down to one (default 10s).
	IdleRetire time.Duration
}

func (o Options) withDefaults() Options {
	if o.MaxActive <= 0 {
		o.MaxActive = 1
	}
	if o.StallAfter <= 0 {
		o.StallAfter = 20 * time.Millisecond
	}
	if o.IdleRetire <= 0 {
		o.IdleRetire = 10 * time.Second
	}
	return o
}

// A Runtime holds the scheduling state of a set of processors: their
// queues of queues, the run queue, and the executor pool. All its methods
// are safe for concurrent use.
type Runtime struct {
	mu    sync.Mutex
	semMu sync.RWMutex // read-held while a semaphore is posted outside mu
	opts  Options
	epoch time.Time

	nextID  int64
	threads map[int64]*thread
	procs   map[int64]*processor
	queues  map[int64]*privateQueue

	// Scheduler state (scheduler.go).
	runq          []*processor
	idle          []*thread
	executors     map[int64]*thread
	running       int // executors in execRunning
	spawning      int // executors asked of the spawner, not yet arrived
	spawnRequests int // requests the spawner has not collected
	spawner       *thread
	monitorKick   chan struct{}
	monitorDone   chan struct{}
	stalls        int64
	collecting    bool // Python's cyclic GC is running a full collection (Collecting)

	// blocked maps a client id to the thread blocked in WaitFor on its
	// behalf (deadlock.go).
	blocked map[int64]*thread

	busy         int // processors whose state is busy()
	quietWaiters []*thread
	stopped      bool
}

// New returns a runtime with no processors and no threads.
func New(opts Options) *Runtime {
	rt := &Runtime{
		opts:        opts.withDefaults(),
		epoch:       time.Now(),
		threads:     make(map[int64]*thread),
		procs:       make(map[int64]*processor),
		queues:      make(map[int64]*privateQueue),
		executors:   make(map[int64]*thread),
		blocked:     make(map[int64]*thread),
		monitorKick: make(chan struct{}, 1),
		monitorDone: make(chan struct{}),
	}
	go rt.monitor()
	return rt
}

func (rt *Runtime) newID() int64 {
	rt.nextID++
	return rt.nextID
}

// setState moves p to state s, keeping the busy count and waking the
// threads waiting for quiescence when it drops to zero.
func (rt *Runtime) setState(p *processor, s procState) {
	if p.state.busy() != s.busy() {
		if s.busy() {
			rt.busy++
		} else {
			rt.busy--
		}
	}
	p.state = s
	if rt.busy == 0 {
		for _, t := range rt.quietWaiters {
			t.sem.post()
		}
		rt.quietWaiters = rt.quietWaiters[:0]
	}
}

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
	rt.semMu.Lock() // no post of th.sem is under way (see postUnlocked)
	putSemaphore(th.sem)
	rt.semMu.Unlock()
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
		th.sem.post()
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
	if err != nil {
		rt.mu.Unlock()
		return false, err
	}
	blocked := th.executor && th.exec == execRunning
	if blocked {
		th.exec = execBlocked
		rt.running--
		rt.fillExecutors()
	}
	rt.mu.Unlock()

	ok := th.sem.wait(timeout)

	if blocked {
		rt.mu.Lock()
		th.exec = execRunning
		rt.running++
		rt.touch(th)
		rt.mu.Unlock()
	}
	return ok, nil
}

// NewProcessor creates an idle processor and returns its id.
func (rt *Runtime) NewProcessor() (int64, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.stopped {
		return 0, ErrStopped
	}
	p := &processor{id: rt.newID()}
	rt.procs[p.id] = p
	return p.id, nil
}

// DropProcessor forgets processor p, whose objects are all unreachable. It
// must have no reservation queued.
func (rt *Runtime) DropProcessor(p int64) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pr := rt.procs[p]
	if pr == nil {
		return nil
	}
	if pr.state != procIdle {
		return fmt.Errorf("scoop core: dropping processor %d while %s", p, pr.state)
	}
	delete(rt.procs, p)
	return nil
}

// Reserve opens one private queue for client on each of handlers, as one
// atomic multi-reservation: the queue on handlers[i] gets id queues[i].
// handlers must be sorted by increasing id with no duplicates; queue ids are
// chosen by the caller (so that it can register a queue, with its first
// calls already logged, before any executor can be handed it) and must not
// be in use. Reserve never blocks: the client logs calls into its queues at
// once, and they run when the group reaches the head of every handler.
// implicit marks queues opened for calls made outside any reservation (see
// privateQueue).
func (rt *Runtime) Reserve(client int64, handlers, queues []int64, implicit bool) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	procs, err := rt.reservable(handlers, queues)
	if err != nil {
		return err
	}
	rt.touchClient(client)
	rt.reserve(client, procs, queues, implicit)
	return nil
}

// touchClient records that client, if it is a processor running on an
// executor, just entered the core: its call body is busy making calls, not
// stuck, and the monitor must not add executors on its account (which only
// makes threads fight for the GIL).
func (rt *Runtime) touchClient(client int64) {
	if p := rt.procs[client]; p != nil && p.executor != nil {
		rt.touch(p.executor)
	}
}

// Grant reserves one handler as Reserve does, and if the handler is idle it
// grants the queue parked: the queue becomes the head and the handler parks
// on it at once, instead of waiting for an executor to find it empty. The
// client can then run a query itself straight away, with no thread
// hand-off; a call it logs wakes the handler as for any parked queue. Grant
// reports whether it granted so.
func (rt *Runtime) Grant(client, handler, queue int64, implicit bool) (bool, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	procs, err := rt.reservable([]int64{handler}, []int64{queue})
	if err != nil {
		return false, err
	}
	rt.touchClient(client)
	if p := procs[0]; p.state == procIdle {
		rt.grantParked(client, p, queue, implicit)
		return true, nil
	}
	rt.reserve(client, procs, []int64{queue}, implicit)
	return false, nil
}

// reservable checks the arguments of Reserve and returns the handlers.
// Called with rt.mu held.
func (rt *Runtime) reservable(handlers, queues []int64) ([]*processor, error) {
	if rt.stopped {
		return nil, ErrStopped
	}
	if len(handlers) == 0 || len(handlers) != len(queues) {
		return nil, fmt.Errorf("scoop core: Reserve needs one queue id per handler, got %v and %v", handlers, queues)
	}
	procs := make([]*processor, len(handlers))
	for i, h := range handlers {
		if i > 0 && h <= handlers[i-1] {
			return nil, fmt.Errorf("scoop core: Reserve handlers not sorted and distinct: %v", handlers)
		}
		p := rt.procs[h]
		if p == nil {
			return nil, fmt.Errorf("scoop core: unknown processor %d", h)
		}
		// A queue id given twice in one call would pass the map lookup
		// (nothing is inserted yet) and leave one of the two queues
		// unreachable by id: its handler could never park or release it.
		if _, used := rt.queues[queues[i]]; used || queues[i] <= 0 || slices.Contains(queues[:i], queues[i]) {
			return nil, fmt.Errorf("scoop core: queue id %d is not free", queues[i])
		}
		procs[i] = p
	}
	return procs, nil
}

// Wake tells the core that the client of private queue q logged into it
// while its handler was parked on it. Stale or early wakes are harmless.
func (rt *Runtime) Wake(q int64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	if pq == nil {
		return
	}
	rt.touchClient(pq.client)
	p := pq.handler
	if p.head() != pq {
		return
	}
	switch p.state {
	case procParked:
		rt.makeReady(p)
	case procRunning:
		p.wakePending = true
	}
}

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
func (rt *Runtime) Next(t int64) (int64, error) {
	rt.mu.Lock()
	e, err := rt.executor(t)
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	rt.touch(e)
	return rt.next(e, nil), nil
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
	var notified *semaphore
	if notify != 0 {
		if th := rt.threads[notify]; th != nil {
			notified = th.sem
			rt.semMu.RLock() // until posted: see postUnlocked
		}
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
	helped := e.helping == p
	rt.leave(e, p)
	rt.setState(p, procParked)
	return rt.after(e, helped, notified), nil
}

// postUnlocked posts s, if not nil, after rt.mu was released; the caller
// took rt.semMu for reading, under rt.mu, when it chose s. That read lock
// keeps DropThread from recycling s (semPool) before the post, so that
// the post cannot wake the semaphore's next owner early.
func (rt *Runtime) postUnlocked(s *semaphore) {
	if s != nil {
		s.post()
		rt.semMu.RUnlock()
	}
}

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
// processor. A thread helps one handler at a time.
func (rt *Runtime) Help(t, q int64) int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, pq := rt.threads[t], rt.queues[q]
	if th == nil || pq == nil || th.helping != nil || rt.stopped {
		return 0
	}
	p := pq.handler
	switch {
	case p.state == procReady:
		if !rt.removeRunq(p) {
			return 0
		}
	case p.state == procRunning && p.executor != nil && p.executor.assigned == p:
		// Its executor has not woken up yet: it will find nothing
		// assigned and look for other work (see next).
		e := p.executor
		e.assigned = nil
		e.current = nil
	case p.state == procParked && p.head() == pq:
	default:
		return 0
	}
	p.executor = th
	th.helping = p
	rt.setState(p, procRunning)
	rt.touch(th)
	return p.head().id
}

// NotParked is what ReleaseParked returns when the handler is not parked
// on the queue: an executor serves it or is about to, so the client must log
// the end of its reservation for that executor instead.
const NotParked int64 = -4

// ReleaseParked ends the reservation of private queue q from its client's
// side, with no executor: this is allowed only while q is the handler's head
// and the handler is parked on it, with nothing left to run (the client ran
// its queries itself). That saves waking an executor just to see the end.
//
// When the next reservation can start at once, ReleaseParked grants the
// handler to it parked, like Grant, and returns its queue id: the caller
// hands the turn on (it answers a client waiting at that queue's sync point,
// or wakes the handler if calls are logged there; see Wake). It returns 0
// when there is nothing to hand on (no reservation left, or the next one
// waits for its other handlers, or it is an implicit queue with more
// reservations behind it, which an executor closes), and NotParked when q is
// not parked.
func (rt *Runtime) ReleaseParked(q int64) int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	if pq == nil || pq.handler.head() != pq || pq.handler.state != procParked {
		return NotParked
	}
	p := pq.handler
	rt.touchClient(pq.client)
	rt.popHead(p)
	if len(p.queues) == 0 {
		rt.setState(p, procIdle)
		return 0
	}
	h := p.head()
	if !rt.othersAtHead(h) {
		rt.setState(p, procWaiting)
		return 0
	}
	if h.implicit && p.contended() {
		rt.makeReady(p) // an executor closes it: see Park
		return 0
	}
	rt.setState(p, procParked)
	return h.id
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
	helped := e.helping == p
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

// WaitQuiet blocks thread t until no processor is busy (every one is idle
// or parked on a drained queue) or timeout passes, and reports whether the
// runtime is quiet.
func (rt *Runtime) WaitQuiet(t int64, timeout time.Duration) (bool, error) {
	deadline := time.Now().Add(timeout)
	for {
		rt.mu.Lock()
		th, err := rt.thread(t)
		if err != nil {
			rt.mu.Unlock()
			return false, err
		}
		if rt.busy == 0 {
			rt.mu.Unlock()
			return true, nil
		}
		left := time.Until(deadline)
		if left <= 0 {
			rt.mu.Unlock()
			return false, nil
		}
		rt.quietWaiters = append(rt.quietWaiters, th)
		rt.mu.Unlock()
		th.sem.wait(left)
	}
}

// Shutdown stops the runtime: executors exit when they next look for work,
// the spawner exits, and later reservations fail with ErrStopped. Callers
// wait for quiescence first (WaitQuiet) if queued calls must run.
func (rt *Runtime) Shutdown() {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.stopped {
		return
	}
	rt.stopped = true
	close(rt.monitorDone)
	for _, e := range rt.idle {
		e.sem.post()
	}
	if rt.spawner != nil {
		rt.spawner.sem.post()
	}
}

// Stats is a snapshot of a runtime's scheduling state.
type Stats struct {
	Processors int // processors alive
	Busy       int // processors waiting, ready or running
	Ready      int // processors in the run queue
	Queues     int // private queues open
	Executors  int // executor threads in the pool
	Idle       int // of which idle
	Running    int // of which running call bodies
	Stalls     int64
}

// Stats returns a snapshot of the runtime's state.
func (rt *Runtime) Stats() Stats {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return Stats{
		Processors: len(rt.procs),
		Busy:       rt.busy,
		Ready:      len(rt.runq),
		Queues:     len(rt.queues),
		Executors:  len(rt.executors),
		Idle:       len(rt.idle),
		Running:    rt.running,
		Stalls:     rt.stalls,
	}
}

// Describe returns a human-readable dump of every busy or parked processor:
// its state and its queue of queues (private queue ids, client ids, whether
// implicit, and for a request group how many of its queues are at the
// head). It is meant for diagnosing a stuck program.
func (rt *Runtime) Describe() string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "runq=%d idle=%d running=%d spawning=%d executors=%d\n",
		len(rt.runq), len(rt.idle), rt.running, rt.spawning, len(rt.executors))
	ids := make([]int64, 0, len(rt.procs))
	for id, p := range rt.procs {
		if p.state != procIdle {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := rt.procs[id]
		fmt.Fprintf(&b, "processor %d %s wake=%v%s:", id, p.state, p.wakePending, describeWatches(p))
		for _, q := range p.queues {
			fmt.Fprintf(&b, " q%d(client %d", q.id, q.client)
			if q.implicit {
				b.WriteString(" implicit")
			}
			if q.group != nil {
				fmt.Fprintf(&b, " group %d/%d", q.group.atHead, len(q.group.queues))
			}
			b.WriteString(")")
		}
		b.WriteString("\n")
	}
	return b.String()
}

// Collecting tells the core that Python's cyclic garbage collector starts
// (true) or ends (false) a full collection. The thread collecting holds the
// GIL throughout, for up to a tenth of a second with 100,000 objects alive;
// an executor waiting for the GIL meanwhile is not stuck in a body, and the
// monitor must not add executors for it (they would only queue up for the
// GIL too). At the end, every executor counts as just seen.
func (rt *Runtime) Collecting(on bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.collecting = on
	if !on {
		for _, e := range rt.executors {
			rt.touch(e)
		}
	}
}

// Contended reports whether another reservation waits behind private queue
// q, which is at the head of its handler. A client about to run a query on
// an implicit queue asks first: if someone waits, the query must go behind
// them, as a reservation of its own would (SPEC §2), rather than overtake
// calls that were queued before it.
func (rt *Runtime) Contended(q int64) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	return pq != nil && pq.handler.head() == pq && pq.handler.contended()
}
