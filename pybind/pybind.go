// Package pybind is the boundary between pyscoop's Go core and CPython:
// gopy exports these functions as the extension module scoop._native.
//
// The protocol is documented in docs/protocol.md; in short:
//   - only integers, booleans and (on cold paths) strings cross;
//   - gopy releases the GIL for the whole call, so the blocking functions
//     (Wait, Next, Park, Release, WaitSpawn, WaitQuiet) block here without
//     stalling other Python threads;
//   - the core never calls Python: it wakes Python threads by posting their
//     semaphores, and they call back in;
//   - hot-path functions report a broken protocol as ErrorCode, with the
//     message in LastError; gopy's own error returns are kept to cold paths
//     (its single-error form leaks a C string per call).
package pybind

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pyscoop/pyscoop/core"
)

// ErrorCode is returned by the functions below when the call broke the
// protocol (an unknown id, a runtime that is stopped); LastError tells why.
const ErrorCode int64 = -2

// CloseCode is what Park returns when the executor must close the implicit
// queue it serves (core.Close).
const CloseCode int64 = core.Close

var (
	mu sync.Mutex
	rt *core.Runtime
	// retired are the runtimes that Start replaced while they still had
	// threads registered: Python drops a thread when it ends, which may be
	// long after its runtime stopped, and only the runtime that made a
	// thread can give its semaphore back (DropThread). A retired runtime
	// is forgotten with its last thread.
	retired []*core.Runtime
	lastErr string
)

func current() *core.Runtime {
	mu.Lock()
	defer mu.Unlock()
	return rt
}

func fail(err error) int64 {
	mu.Lock()
	lastErr = err.Error()
	mu.Unlock()
	return ErrorCode
}

func code(v int64, err error) int64 {
	if err != nil {
		return fail(err)
	}
	return v
}

// LastError returns the message of the last call that returned ErrorCode.
func LastError() string {
	mu.Lock()
	defer mu.Unlock()
	return lastErr
}

// Start replaces the runtime with a new one. maxActive, stallMicros and
// idleRetireMillis are core.Options (0 for the defaults).
func Start(maxActive, stallMicros, idleRetireMillis int64) {
	r := core.New(core.Options{
		MaxActive:  int(maxActive),
		StallAfter: time.Duration(stallMicros) * time.Microsecond,
		IdleRetire: time.Duration(idleRetireMillis) * time.Millisecond,
	})
	mu.Lock()
	old := rt
	rt = r
	if old != nil {
		retired = append(retired, old)
	}
	mu.Unlock()
	if old != nil {
		old.Shutdown()
		forgetIfEmpty(old)
	}
}

// owner returns the runtime that made thread t: the current one, or a
// retired one (nil if none has it).
func owner(t int64) *core.Runtime {
	mu.Lock()
	defer mu.Unlock()
	if rt != nil && rt.Owns(t) {
		return rt
	}
	for _, r := range retired {
		if r.Owns(t) {
			return r
		}
	}
	return nil
}

// forgetIfEmpty forgets retired runtime r once it has no thread left: it
// then holds nothing that a thread could still give back.
func forgetIfEmpty(r *core.Runtime) {
	mu.Lock()
	defer mu.Unlock()
	if r == rt || r.Stats().Threads > 0 {
		return
	}
	for i, x := range retired {
		if x == r {
			retired = append(retired[:i], retired[i+1:]...)
			return
		}
	}
}

// Stop shuts the runtime down (core.Runtime.Shutdown). Executors and the
// spawner return from their blocking calls with 0 / -1.
func Stop() {
	if r := current(); r != nil {
		r.Shutdown()
	}
}

// NewThread registers the calling Python thread and returns its id.
func NewThread() int64 { return current().NewThread() }

// DropThread forgets thread t, in the runtime that made it: a thread often
// ends after its runtime was stopped and another started (each runtime has
// ids of its own, so the current one does not know it), and its semaphore
// is only given back by the runtime that holds it.
func DropThread(t int64) {
	r := owner(t)
	if r == nil {
		return
	}
	r.DropThread(t)
	forgetIfEmpty(r)
}

// Wait blocks thread t until it is signalled (true) or timeoutMicros pass
// or a signal arrives (false). A negative timeout waits forever.
func Wait(t, timeoutMicros int64) bool {
	d := time.Duration(-1)
	if timeoutMicros >= 0 {
		d = time.Duration(timeoutMicros) * time.Microsecond
	}
	ok, err := current().Wait(t, d)
	if err != nil {
		fail(err)
		return false
	}
	return ok
}

// NewProcessor creates a processor and returns its id, or ErrorCode.
func NewProcessor() int64 { return code(current().NewProcessor()) }

// DropProcessor forgets processor p; ErrorCode if it still has work.
func DropProcessor(p int64) int64 {
	if err := current().DropProcessor(p); err != nil {
		return fail(err)
	}
	return 0
}

// Reserve1 reserves one handler for client, as private queue queue (an id
// the caller chose). With grant, an idle handler is granted parked on the
// queue at once (core.Runtime.Reserve). It returns 1 when so granted, 0
// when the queue was queued, or ErrorCode.
func Reserve1(client, handler, queue int64, implicit, grant bool) int64 {
	if !grant {
		if err := current().Reserve(client, []int64{handler}, []int64{queue}, implicit); err != nil {
			return fail(err)
		}
		return 0
	}
	granted, err := current().Grant(client, handler, queue, implicit)
	if err != nil {
		return fail(err)
	}
	if granted {
		return 1
	}
	return 0
}

// ReserveGroup reserves several handlers atomically. handlers is their ids
// in increasing order and queues the private queue id for each, both
// comma-separated (slices cross gopy one element per call). It returns 0,
// or ErrorCode.
func ReserveGroup(client int64, handlers, queues string, implicit bool) int64 {
	hs, err := parseIDs(handlers)
	if err != nil {
		return fail(err)
	}
	qs, err := parseIDs(queues)
	if err != nil {
		return fail(err)
	}
	if err := current().Reserve(client, hs, qs, implicit); err != nil {
		return fail(err)
	}
	return 0
}

func parseIDs(list string) ([]int64, error) {
	parts := strings.Split(list, ",")
	ids := make([]int64, len(parts))
	for i, s := range parts {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("scoop core: bad id list %q", list)
		}
		ids[i] = id
	}
	return ids, nil
}

// Wake tells the core that the client of queue q logged into it while its
// handler was parked.
func Wake(q int64) { current().Wake(q) }

// BecomeExecutor makes thread t an executor; it then calls Next.
func BecomeExecutor(t int64) int64 {
	if err := current().BecomeExecutor(t); err != nil {
		return fail(err)
	}
	return 0
}

// BecomeSpawner makes thread t the spawner; it then calls WaitSpawn.
func BecomeSpawner(t int64) int64 {
	if err := current().BecomeSpawner(t); err != nil {
		return fail(err)
	}
	return 0
}

// Next blocks executor t until it has a queue to serve; 0 means exit.
func Next(t int64) int64 { return code(current().Next(t)) }

// ResumeCode: a value v <= ResumeCode from NextFor means "resume fiber
// ResumeCode - v" (core.Resume).
const ResumeCode int64 = core.Resume

// SuspendedCode is what SuspendFor returns when the fiber must switch to
// its hub (core.Suspended).
const SuspendedCode int64 = core.Suspended

// NewFiber registers a fiber of executor t (a greenlet of its thread) and
// returns its thread id, or ErrorCode.
func NewFiber(t int64) int64 { return code(current().NewFiber(t)) }

// NextFor blocks executor t until it has a queue to serve, in its fiber f,
// or a fiber to resume (a value <= ResumeCode); 0 means exit.
func NextFor(t, f int64) int64 { return code(current().NextFor(t, f)) }

// IdleCode is what TryNextFor returns when the hub has nothing to do
// (core.Idle).
const IdleCode int64 = core.Idle

// TryNextFor is NextFor without blocking: IdleCode when it would wait.
func TryNextFor(t, f int64) int64 { return code(current().TryNextFor(t, f)) }

// Yield: fiber t gives its hub up until the run queue has had a turn
// (core.Runtime.Yield); 0, or ErrorCode.
func Yield(t int64) int64 {
	if err := current().Yield(t); err != nil {
		return fail(err)
	}
	return 0
}

// ParkNow is Park for a fiber or a helper, which never block
// (core.Runtime.ParkNow).
func ParkNow(t, q int64, mayClose bool, notify int64) int64 {
	return code(current().ParkNow(t, q, mayClose, notify))
}

// ReleaseNow is Release for a fiber or a helper (core.Runtime.ReleaseNow).
func ReleaseNow(t, q int64) int64 { return code(current().ReleaseNow(t, q)) }

// Suspend: fiber t waits to be posted, at most timeoutMicros (forever if
// negative): 1 if a post was pending, 0 if it must switch to its hub
// (core.Runtime.Suspend). Never blocks.
func Suspend(t, timeoutMicros int64) int64 {
	d := time.Duration(-1)
	if timeoutMicros >= 0 {
		d = time.Duration(timeoutMicros) * time.Microsecond
	}
	return code(current().Suspend(t, d))
}

// SuspendFor: fiber t waits for the handler of queue q, as WaitFor, without
// blocking: 1 posted, SuspendedCode, DeadlockCode, or ErrorCode.
func SuspendFor(t, q int64, clients string) int64 {
	ids, err := parseIDs(clients)
	if err != nil {
		return fail(err)
	}
	return code(current().SuspendFor(t, q, ids))
}

// Park: executor t drained queue q (see core.Runtime.Park).
func Park(t, q int64, mayClose bool, notify int64) int64 {
	return code(current().Park(t, q, mayClose, notify))
}

// Release: executor t reached the end of queue q (see core.Runtime.Release).
func Release(t, q int64) int64 { return code(current().Release(t, q)) }

// NotParkedCode is what ReleaseParked returns when the handler is not parked
// on the queue (core.NotParked).
const NotParkedCode int64 = core.NotParked

// ReleaseParked: the client of queue q ends its reservation itself, the
// handler being parked on it (see core.Runtime.ReleaseParked).
func ReleaseParked(q int64) int64 { return current().ReleaseParked(q) }

// Help: thread t, about to wait for queue q, runs its handler itself if
// no executor runs it yet (see core.Runtime.Help). The queue to serve, or 0.
func Help(t, q int64) int64 { return current().Help(t, q) }

// Collecting: Python's cyclic GC starts or ends a full collection (see
// core.Runtime.Collecting).
func Collecting(on bool) { current().Collecting(on) }

// Signal wakes thread t (posts its semaphore).
func Signal(t int64) { current().Signal(t) }

// WaitSpawn blocks the spawner until executors are wanted: how many, or -1
// once stopped.
func WaitSpawn() int64 { return current().WaitSpawn() }

// WaitQuiet blocks thread t until no processor is busy, at most
// timeoutMicros; it reports whether the runtime is quiet.
func WaitQuiet(t, timeoutMicros int64) bool {
	ok, err := current().WaitQuiet(t, time.Duration(timeoutMicros)*time.Microsecond)
	if err != nil {
		fail(err)
		return false
	}
	return ok
}

// Stats returns one snapshot of core.Stats as "name=value" pairs,
// comma-separated: one crossing and one consistent snapshot for all figures.
// Three figures are of the whole process, to find leaks across runtimes:
// semaphores (held by the threads of every runtime, core.SemaphoresInUse),
// retired (stopped runtimes that still have threads registered) and
// retired_threads (how many).
func Stats() string {
	s := current().Stats()
	mu.Lock()
	old := len(retired)
	oldThreads := 0
	for _, r := range retired {
		oldThreads += r.Stats().Threads
	}
	mu.Unlock()
	return fmt.Sprintf("processors=%d,busy=%d,ready=%d,queues=%d,executors=%d,idle=%d,running=%d,stalls=%d,waiting=%d,"+
		"threads=%d,semaphores=%d,retired=%d,retired_threads=%d",
		s.Processors, s.Busy, s.Ready, s.Queues, s.Executors, s.Idle, s.Running, s.Stalls, s.Waiting,
		s.Threads, core.SemaphoresInUse(), old, oldThreads)
}

// Version is the boundary protocol's version; the Python side checks it at
// import, so that a stale extension fails loudly instead of misbehaving.
func Version() int64 { return 5 }

// Describe dumps the state of the busy and parked processors, for
// diagnosing a stuck program (core.Runtime.Describe).
func Describe() string { return current().Describe() }

// Watch registers thread t, acting as client, as waiting for one of
// handlers (comma-separated ids) to run another client's calls: a wait
// condition (core.Runtime.Watch). 0, or ErrorCode.
func Watch(t, client int64, handlers string) int64 {
	ids, err := parseIDs(handlers)
	if err != nil {
		return fail(err)
	}
	if err := current().Watch(t, client, ids); err != nil {
		return fail(err)
	}
	return 0
}

// Unwatch ends thread t's watch; it reports whether it was notified.
func Unwatch(t int64) bool { return current().Unwatch(t) }

// Notified reports whether thread t's watch was notified.
func Notified(t int64) bool { return current().Notified(t) }

// Notify tells the core that processor p ran calls of client, waking the
// watches of other clients on p.
func Notify(p, client int64) { current().Notify(p, client) }

// DeadlockCode is what WaitFor returns when the wait would close a cycle.
const DeadlockCode int64 = core.Deadlock

// WaitFor blocks thread t while it waits for the handler of queue q, on
// behalf of clients (comma-separated ids): 1 posted, 0 timeout or signal,
// DeadlockCode (without blocking) if the wait would close a cycle, or
// ErrorCode.
func WaitFor(t, q int64, clients string, timeoutMicros int64) int64 {
	ids, err := parseIDs(clients)
	if err != nil {
		return fail(err)
	}
	return code(current().WaitFor(t, q, ids, time.Duration(timeoutMicros)*time.Microsecond))
}

// DeadlockCycle names the threads of the cycle thread t's last WaitFor
// found, comma-separated, starting with t.
func DeadlockCycle(t int64) string { return current().DeadlockCycle(t) }

// Contended reports whether another reservation waits behind queue q
// (core.Runtime.Contended).
func Contended(q int64) bool { return current().Contended(q) }
