package core

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
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
	// MaxExecutors bounds the pool when call bodies block outside Python
	// (default 128): the monitor then gives each ready processor an
	// executor of its own, up to this many in all.
	MaxExecutors int
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
	if o.MaxExecutors <= 0 {
		o.MaxExecutors = 128
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

	base    int64 // the first id of this runtime's range, less one (see runtimes)
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
	rt.base = runtimes.Add(1) * idsPerRuntime
	rt.nextID = rt.base
	go rt.monitor()
	return rt
}

// Owns reports whether id is in rt's id range: a thread, fiber or processor
// that rt made, or will make. It lets a caller that holds several runtimes
// (one running, others stopped) find the one a thread belongs to.
func (rt *Runtime) Owns(id int64) bool { return id > rt.base && id <= rt.base+idsPerRuntime }

// runtimes counts the runtimes made in this process. Each takes its ids
// from a range of its own, so that a thread left over from a runtime that
// was shut down can never name (and wake) a thread or processor of a later
// one.
var runtimes atomic.Int64

// idsPerRuntime is the size of each runtime's id range.
const idsPerRuntime = 1 << 40

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
	Waiting    int // threads and fibers waiting for a handler (WaitFor, SuspendFor)
	Threads    int // threads and fibers registered (NewThread, NewFiber) and not dropped
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
		Waiting:    rt.waitingThreads(),
		Threads:    len(rt.threads),
	}
}

// waitingThreads counts the threads blocked in WaitFor (or suspended in
// SuspendFor). Called with rt.mu held.
func (rt *Runtime) waitingThreads() int {
	n := 0
	for _, th := range rt.threads {
		if th.blockedOn != nil {
			n++
		}
	}
	return n
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
