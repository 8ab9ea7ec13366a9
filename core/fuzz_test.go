package core

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// FuzzReservations decodes its input into a program of core calls made by
// several simulated clients — reservations of 1–3 processors (groups),
// calls logged into them, releases, waits for a handler (WaitFor), helping
// (Help) and call bodies that act as clients of other processors — served
// by executor goroutines stepped one core call at a time. After every step
// the core's state settles (every goroutine has returned or is blocked in
// the core), so a failing input replays the same way.
//
// It checks, besides the harness' invariants (a processor serves one
// private queue at a time, in reservation order; a group starts on none of
// its handlers while another of them serves someone else):
//   - no false deadlock: WaitFor reports Deadlock only when the wait could
//     never end, by a model of who must act before the waited queue is
//     served, computed from the program alone; the cycle it names starts
//     with the waiting thread and holds only blocked threads;
//   - no missed deadlock: at the end, every free client releases what it
//     holds and the executors serve what they can; threads still blocked
//     then wait on each other, and asking again (as Python does every
//     slice) must report the cycle;
//   - nothing lost: every call logged is served exactly once, in order, and
//     every processor ends idle.
//
// The plain `go test` run replays the seeds below and testdata/fuzz; `go
// test -run '^$' -fuzz FuzzReservations -fuzztime 10m ./core` explores.
//
// An input is a configuration byte, then three bytes per operation: the
// operation, and two arguments (see fuzzer.step).
func FuzzReservations(f *testing.F) {
	for _, seed := range fuzzSeeds {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) == 0 {
			return
		}
		z := newFuzzer(t, data[0])
		ops := data[1:]
		for i := 0; i+2 < len(ops) && i < 3*maxFuzzOps; i += 3 {
			z.step(ops[i], ops[i+1], ops[i+2])
			z.settle()
			z.checkCore()
			if t.Failed() {
				t.Fatalf("after operation %d (%s)\n%s", i/3, z.lastOp, z.describe())
			}
		}
		z.drain()
		if t.Failed() {
			t.Fatalf("while draining\n%s", z.describe())
		}
		z.checkServed()
		if testing.Verbose() {
			t.Log(z.describe())
		}
	})
}

const maxFuzzOps = 80

// The operations (first byte of each triple, modulo opCount).
const (
	opReserve  = iota // actor a, processor mask b (bit 7: implicit, for one processor)
	opLog             // actor a, group b: log one call into each of its queues
	opEnd             // actor a, group b: log the release marker into each of its queues
	opWait            // actor a, group b: block in WaitFor on one of its queues
	opUnblock         // blocked actor a: its wait ends (a slice, a signal)
	opServe           // server a: one step (run one call, or Park/Release)
	opBody            // server a: the call it runs becomes a body that makes calls
	opBodyDone        // server a: the body ends, releasing what it reserved
	opHelp            // thread actor a, group b: Help on its queue
	opCount
)

var opNames = [...]string{"reserve", "log", "end", "wait", "unblock", "serve", "body", "bodyDone", "help"}

// Seeds: each one a scenario worth replaying on every plain `go test`.
var fuzzSeeds = [][]byte{
	// Two thread clients each hold one processor and wait for the other's:
	// the second wait is reported.
	{0x00, // 2 processors, 2 threads, 1 executor, MaxActive 1
		opReserve, 0, 0b01, opReserve, 1, 0b10,
		opServe, 0, 0, opServe, 0, 0, // drain and park both
		opReserve, 0, 0b10, opReserve, 1, 0b01,
		opWait, 0, 1, opWait, 1, 1},
	// A group behind a held processor must not start on the free one.
	{0x04, // 2 executors
		opReserve, 0, 0b01, opLog, 0, 0,
		opReserve, 1, 0b11, opLog, 1, 0, opEnd, 1, 0,
		opServe, 0, 0, opServe, 0, 0, opServe, 1, 0, opServe, 1, 0,
		opEnd, 0, 0},
	// A body waits on a processor held by the client that waits for the
	// body's processor: a cycle through an executor.
	{0x00,
		opReserve, 0, 0b01, opServe, 0, 0, // thread 0 holds processor 0, parked
		opReserve, 1, 0b10, opLog, 1, 0, opServe, 0, 0, opBody, 0, 0,
		opReserve, 2, 0b01, opWait, 2, 0, // the body (actor 2) waits for processor 0
		opReserve, 0, 0b10, opWait, 0, 1}, // thread 0 waits for the body's processor
	// The same cycle when the waiting thread runs the body itself (Help):
	// issue 11's first finding.
	{0x01, // 3 processors
		opReserve, 0, 0b001, opServe, 0, 0, // thread 0 holds processor 0, parked
		opReserve, 0, 0b100, opLog, 0, 1, opServe, 0, 0, // the executor is busy on processor 2
		opReserve, 1, 0b010, opLog, 1, 0, opHelp, 1, 0, // thread 1 runs processor 1 itself
		opServe, 1, 0, opBody, 1, 0,
		opReserve, 2, 0b001, opWait, 2, 0, // its body waits for processor 0
		opReserve, 0, 0b010, opWait, 0, 2}, // thread 0 waits for processor 1
	// Implicit queues contended by an explicit group.
	{0x15, // 3 threads, 2 executors
		opReserve, 0, 0x81, opLog, 0, 0, opReserve, 1, 0x81, opLog, 1, 0,
		opReserve, 2, 0b011, opLog, 2, 0, opServe, 0, 0, opServe, 1, 0,
		opWait, 2, 0, opServe, 0, 0, opServe, 0, 0, opServe, 1, 0, opServe, 1, 0},
	// A three-client cycle over three processors.
	{0x11, // 3 processors, 3 threads
		opReserve, 0, 0b001, opReserve, 1, 0b010, opReserve, 2, 0b100,
		opServe, 0, 0, opServe, 0, 0, opServe, 0, 0,
		opReserve, 0, 0b010, opReserve, 1, 0b100, opReserve, 2, 0b001,
		opWait, 0, 1, opWait, 1, 1, opWait, 2, 1},
	// A cycle that closes only once a free client releases what stands in
	// front of it: found when asked again.
	{0x11,
		opReserve, 0, 0b001, opReserve, 1, 0b010, opServe, 0, 0, opServe, 0, 0,
		opReserve, 2, 0b001, // thread 2 queues behind thread 0 on processor 0
		opReserve, 0, 0b001, opReserve, 1, 0b001, // and so do threads 0 and 1
		opWait, 1, 1, opReserve, 0, 0b010, opWait, 0, 2,
		opEnd, 2, 0},
	// Groups of three with helping.
	{0x1a, // 4 processors, 3 threads, MaxActive 2
		opReserve, 0, 0b0111, opLog, 0, 0, opReserve, 1, 0b1110, opLog, 1, 0,
		opHelp, 1, 0, opServe, 1, 0, opServe, 1, 0, opServe, 0, 0,
		opReserve, 2, 0b1011, opLog, 2, 0, opEnd, 0, 0, opWait, 2, 0x10,
		opServe, 0, 0, opServe, 1, 0, opServe, 2, 0},
}

// An actor is something that logs calls: a thread client, or the body of a
// call that a server (executor or helping thread) runs on a processor.
type actor struct {
	name    string
	client  int64   // the client id its reservations are made as
	thread  int64   // the thread that blocks when it waits
	clients []int64 // what its WaitFor blocks: its thread's client id, and the processors whose bodies it runs
	groups  []*fgroup
	wait    *fwait   // non-nil while its thread is blocked in WaitFor
	helping *fserver // a thread actor running a handler as a helper
	server  *fserver // a body actor: the server running it
}

// An fgroup is one reservation: a private queue on each of its processors.
type fgroup struct {
	client   int64
	queues   []int64
	procs    []int64
	implicit bool
	ended    bool // the release marker is logged (or the queue closed)
}

type fwait struct {
	q         int64
	signalled bool // the driver (or a Park's notify) ended the wait
	done      chan int64
}

// An fserver is a thread that serves processors: an executor, stepped by
// requests to its goroutine, or a thread client helping (synchronous:
// a helper's Park and Release never block).
type fserver struct {
	thread   int64
	executor bool
	helper   *actor // the thread actor helping
	req      chan func() result
	res      chan result
	pending  bool
	serving  int64  // the private queue it serves, 0 for none
	body     *actor // the body of the call it runs, if any
}

type fuzzer struct {
	t       *testing.T
	h       *harness
	procs   []int64
	threads []*actor
	servers []*fserver
	spawner int64
	spawned int

	groupOf map[int64]*fgroup // private queue → its group
	order   map[int64][]int64 // processor → its open private queues, in reservation order
	logged  map[int64][]int   // private queue → the ids of the calls logged into it
	nextID  int
	lastOp  string
	trace   []string
}

const maxSpawned = 8

func newFuzzer(t *testing.T, config byte) *fuzzer {
	nprocs := 2 + int(config&0x3)%3      // 2–4
	nthreads := 2 + int(config>>4&0x3)%2 // 2–3
	nexec := 1 + int(config>>2&0x1)      // 1–2
	maxActive := 1 + int(config>>3&0x1)  // 1–2
	h := newHarness(t, Options{MaxActive: maxActive, StallAfter: time.Hour, IdleRetire: time.Hour})
	z := &fuzzer{
		t:       t,
		h:       h,
		procs:   h.processors(nprocs),
		groupOf: make(map[int64]*fgroup),
		order:   make(map[int64][]int64),
		logged:  make(map[int64][]int),
	}
	z.spawner = h.rt.NewThread()
	if err := h.rt.BecomeSpawner(z.spawner); err != nil {
		t.Fatal(err)
	}
	for i := range nthreads {
		th := h.rt.NewThread()
		z.threads = append(z.threads, &actor{name: fmt.Sprintf("thread %d", i), client: th, thread: th, clients: []int64{th}})
	}
	for range nexec {
		z.startExecutor()
	}
	// Registered after newHarness's cleanup, so run before it: the
	// executors' goroutines end once Shutdown has woken them.
	t.Cleanup(func() {
		for _, s := range z.servers {
			if s.executor {
				close(s.req)
			}
		}
	})
	z.settle()
	return z
}

func (z *fuzzer) startExecutor() {
	t := z.h.rt.NewThread()
	if err := z.h.rt.BecomeExecutor(t); err != nil {
		z.t.Fatal(err)
	}
	s := &fserver{thread: t, executor: true, req: make(chan func() result), res: make(chan result, 1)}
	go func() {
		for f := range s.req {
			s.res <- f()
		}
	}()
	z.servers = append(z.servers, s)
	z.note("executor %d starts", t)
	z.call(s, func() result { return res(z.h.rt.Next(t)) })
}

// call makes one core call for server s: an executor's runs in its
// goroutine (it may block in the core), a helper's here.
func (z *fuzzer) call(s *fserver, f func() result) {
	if s.executor {
		s.pending = true
		s.req <- f
		return
	}
	z.onResult(s, f())
}

// onResult acts on what Next, Park or Release returned to server s.
func (z *fuzzer) onResult(s *fserver, r result) {
	s.pending = false
	s.serving = 0
	switch {
	case r.err != nil:
		z.t.Errorf("server %d: %v", s.thread, r.err)
	case r.q > 0:
		z.note("server %d is handed %d", s.thread, r.q)
		if z.h.begin(r.q) != nil {
			s.serving = r.q
		}
	case r.q == Close:
		z.t.Errorf("server %d: Close outside Park", s.thread)
	case s.executor:
		z.t.Errorf("executor %d told to exit while the runtime runs", s.thread)
	default: // a helper goes back to its wait
		s.helper.helping = nil
		z.servers = slices.DeleteFunc(z.servers, func(x *fserver) bool { return x == s })
	}
}

// settle waits until every goroutine the fuzzer started has returned from
// the core or is blocked in it for good (an executor idle in Next with
// nothing assigned, a thread registered in WaitFor), handling what they
// returned, and serves the spawner's requests for executors.
func (z *fuzzer) settle() {
	deadline := time.Now().Add(failAfter)
	for !z.settled() {
		if time.Now().After(deadline) {
			z.t.Fatalf("the core did not settle within %v\n%s", failAfter, z.describe())
		}
		runtime.Gosched()
	}
}

func (z *fuzzer) settled() bool {
	rt := z.h.rt
	ok := true
	for _, s := range slices.Clone(z.servers) {
		if !s.pending {
			continue
		}
		select {
		case r := <-s.res:
			z.onResult(s, r)
			ok = false // look again: that may have changed the core
			continue
		default:
		}
		rt.mu.Lock()
		th := rt.threads[s.thread]
		idle := th != nil && th.assigned == nil && slices.Contains(rt.idle, th)
		rt.mu.Unlock()
		ok = ok && idle
	}
	for _, a := range z.actors() {
		w := a.wait
		if w == nil {
			continue
		}
		select {
		case r := <-w.done:
			a.wait = nil
			if r == Deadlock {
				// Asked again after a spurious wake-up: check it as any.
				z.reported(a, z.deadWaits(map[int64]int64{a.thread: w.q}))
			}
			ok = false
			continue
		default:
		}
		rt.mu.Lock()
		th := rt.threads[a.thread]
		registered := th != nil && th.blockedOn != nil && !th.active()
		rt.mu.Unlock()
		// A signalled wait must come back before the core is settled:
		// its thread becomes active again on the way out.
		ok = ok && registered && !w.signalled
	}
	rt.mu.Lock()
	requests := rt.spawnRequests
	rt.mu.Unlock()
	if requests > 0 {
		n := rt.WaitSpawn() // does not block: requests are pending
		for range n {
			if z.spawned < maxSpawned {
				z.spawned++
				z.startExecutor()
			}
		}
		ok = false
	}
	return ok
}

// actors returns every actor: the thread clients and the running bodies.
func (z *fuzzer) actors() []*actor {
	as := slices.Clone(z.threads)
	for _, s := range z.servers {
		if s.body != nil {
			as = append(as, s.body)
		}
	}
	return as
}

// free reports whether a can act: it is not blocked, and a thread actor
// that helps acts only as the server it is.
func (a *actor) free() bool { return a.wait == nil && a.helping == nil }

// freeActor picks actor number b (thread clients first, then running
// bodies, modulo their number), if it can act.
func (z *fuzzer) freeActor(b byte) (*actor, bool) {
	a, ok := pick(z.actors(), b)
	return a, ok && a.free()
}

// idleServer picks server number b, if it can take a step.
func (z *fuzzer) idleServer(b byte) (*fserver, bool) {
	s, ok := pick(z.servers, b)
	return s, ok && s.idle()
}

func (s *fserver) idle() bool { return !s.pending && s.serving != 0 && s.body == nil }

func (z *fuzzer) freeActors() []*actor {
	return slices.DeleteFunc(z.actors(), func(a *actor) bool { return !a.free() })
}

func pick[T any](xs []T, b byte) (T, bool) {
	var zero T
	if len(xs) == 0 {
		return zero, false
	}
	return xs[int(b)%len(xs)], true
}

// openGroups returns a's reservations that are not ended.
func (a *actor) openGroups() []*fgroup {
	return slices.DeleteFunc(slices.Clone(a.groups), func(g *fgroup) bool { return g.ended })
}

// idleServers returns the servers that can take a step: serving a queue,
// no core call under way, no body running.
func (z *fuzzer) idleServers() []*fserver {
	return slices.DeleteFunc(slices.Clone(z.servers), func(s *fserver) bool { return !s.idle() })
}

func (z *fuzzer) note(format string, args ...any) {
	z.lastOp = fmt.Sprintf(format, args...)
	z.trace = append(z.trace, z.lastOp)
}

// step decodes and runs one operation; one that does not apply to the
// current state does nothing.
func (z *fuzzer) step(op, a, b byte) {
	z.syncClosed()
	switch int(op) % opCount {
	case opReserve:
		if x, ok := z.freeActor(a); ok {
			z.reserve(x, b)
		}
	case opLog:
		if x, ok := z.freeActor(a); ok {
			if g, ok := pick(x.openGroups(), b); ok {
				z.note("%s logs into %v", x.name, g.queues)
				z.logInto(x, g, call{})
			}
		}
	case opEnd:
		if x, ok := z.freeActor(a); ok {
			if g, ok := pick(x.openGroups(), b); ok {
				z.note("%s ends %v", x.name, g.queues)
				z.end(x, g)
			}
		}
	case opWait:
		if x, ok := z.freeActor(a); ok {
			if g, ok := pick(x.openGroups(), b); ok {
				z.waitFor(x, g.queues[int(b>>4)%len(g.queues)])
			}
		}
	case opUnblock:
		blocked := slices.DeleteFunc(z.actors(), func(x *actor) bool { return x.wait == nil })
		if x, ok := pick(blocked, a); ok {
			z.note("%s's wait ends", x.name)
			z.unblock(x)
		}
	case opServe:
		if s, ok := z.idleServer(a); ok {
			z.serveStep(s)
		}
	case opBody:
		if s, ok := z.idleServer(a); ok {
			z.startBody(s)
		}
	case opBodyDone:
		if s, ok := pick(z.servers, a); ok && s.body != nil && s.body.wait == nil {
			z.endBody(s)
		}
	case opHelp:
		if x, ok := pick(z.threads, a); ok && x.free() && len(x.openGroups()) > 0 {
			g, _ := pick(x.openGroups(), b)
			z.help(x, g.queues[int(b>>4)%len(g.queues)])
		}
	}
}

func (z *fuzzer) reserve(x *actor, mask byte) {
	var procs []int64
	for i, p := range z.procs {
		if mask&(1<<i) != 0 && p != x.client && len(procs) < 3 {
			procs = append(procs, p)
		}
	}
	if len(procs) == 0 {
		p := z.procs[int(mask)%len(z.procs)]
		if p == x.client {
			return // a processor holds itself
		}
		procs = []int64{p}
	}
	implicit := len(procs) == 1 && mask&0x80 != 0
	qs := z.h.reserve(x.client, procs, implicit)
	if qs == nil {
		return
	}
	g := &fgroup{client: x.client, queues: qs, procs: procs, implicit: implicit}
	x.groups = append(x.groups, g)
	for i, q := range qs {
		z.groupOf[q] = g
		z.order[procs[i]] = append(z.order[procs[i]], q)
	}
	z.note("%s reserves %v as %v (implicit %v)", x.name, procs, qs, implicit)

}

// logInto logs c into every queue of g. A queue that its handler closed
// (implicit, contended) takes nothing: the group is over, as a Python
// client would open a new queue.
func (z *fuzzer) logInto(x *actor, g *fgroup, c call) {
	for _, q := range g.queues {
		if !c.end {
			z.nextID++
			c.id = z.nextID
		}
		if !z.h.log(q, c) {
			g.ended = true
			return
		}
		if !c.end {
			z.logged[q] = append(z.logged[q], c.id)
		}
	}
}

func (z *fuzzer) end(x *actor, g *fgroup) {
	z.logInto(x, g, call{end: true})
	g.ended = true
	x.groups = slices.DeleteFunc(x.groups, func(y *fgroup) bool { return y == g })
}

// waitFor blocks x's thread in WaitFor on its queue q, after predicting
// from the program whether that wait could ever end.
func (z *fuzzer) waitFor(x *actor, q int64) {
	z.note("%s waits for %d", x.name, q)
	dead := z.deadWaits(map[int64]int64{x.thread: q})
	w := &fwait{q: q, done: make(chan int64, 1)}
	x.wait = w
	rt := z.h.rt
	go func() {
		for {
			r, err := rt.WaitFor(x.thread, q, x.clients, failAfter)
			if err != nil {
				z.t.Errorf("WaitFor: %v", err)
			}
			// Anything but the driver's signal is a spurious wake-up (a
			// recycled semaphore's old post): wait again, as Python does.
			rt.mu.Lock()
			signalled := w.signalled
			rt.mu.Unlock()
			if r == Deadlock || r == 0 || signalled {
				w.done <- r
				return
			}
		}
	}()
	// A Deadlock comes back at once, without blocking.
	deadline := time.Now().Add(failAfter)
	for {
		select {
		case r := <-w.done:
			x.wait = nil
			if r == Deadlock {
				z.reported(x, dead)
			} else {
				z.t.Errorf("%s: WaitFor returned %d without being woken", x.name, r)
			}
			return
		default:
		}
		rt.mu.Lock()
		th := rt.threads[x.thread]
		registered := th.blockedOn != nil && !th.active()
		rt.mu.Unlock()
		if registered {
			return
		}
		if time.Now().After(deadline) {
			z.t.Fatalf("WaitFor neither blocked nor returned")
		}
		runtime.Gosched()
	}
}

// reported checks a Deadlock that x's WaitFor returned against the model.
func (z *fuzzer) reported(x *actor, dead map[int64]bool) {
	cycle := z.h.rt.DeadlockCycle(x.thread)
	z.note("%s: Deadlock, cycle %s", x.name, cycle)
	if !dead[x.thread] {
		z.t.Errorf("false deadlock: %s's wait can end (cycle %q)", x.name, cycle)
	}
	ids := strings.Split(cycle, ",")
	if ids[0] != fmt.Sprint(x.thread) {
		z.t.Errorf("cycle %q does not start with the waiting thread %d", cycle, x.thread)
	}
	for _, id := range ids[1:] {
		if !slices.ContainsFunc(z.actors(), func(a *actor) bool { return fmt.Sprint(a.thread) == id && a.wait != nil }) {
			z.t.Errorf("cycle %q names thread %s, which is not blocked", cycle, id)
		}
	}
}

// unblock ends x's wait, as the end of a wait slice or a handler's answer
// does.
func (z *fuzzer) unblock(x *actor) {
	z.h.rt.mu.Lock()
	x.wait.signalled = true
	z.h.rt.mu.Unlock()
	z.h.rt.Signal(x.thread)
}

// serveStep makes server s run the next call of its queue, or, when the
// queue is drained, Park on it; at a release marker it Releases.
func (z *fuzzer) serveStep(s *fserver) {
	q := s.serving
	l := z.h.logs[q]
	if c, ok := z.h.pop(l); ok {
		z.h.record(s.thread, l, c)
		if !c.end {
			z.note("server %d runs call %d of %d", s.thread, c.id, q)
			return
		}
		z.note("server %d releases %d", s.thread, q)
		z.h.finish(l, false)
		z.forget(q)
		z.call(s, func() result { return res(z.h.rt.Release(s.thread, q)) })
		return
	}
	// A client waiting for this queue is told once Park has decided.
	var notify int64
	for _, a := range z.actors() {
		if a.wait != nil && a.wait.q == q && !a.wait.signalled {
			notify = a.thread
			z.h.rt.mu.Lock()
			a.wait.signalled = true
			z.h.rt.mu.Unlock()
			break
		}
	}
	z.note("server %d parks on %d (notify %d)", s.thread, q, notify)
	z.call(s, func() result {
		r := res(z.h.rt.Park(s.thread, q, true, notify))
		if r.err != nil || r.q != Close {
			return r
		}
		// Close: single-goroutine driver, so nobody logged since.
		if !z.h.finish(l, true) {
			return result{q: q}
		}
		return res(z.h.rt.Release(s.thread, q))
	})
	// The queue may have been closed (in the goroutine, for an executor:
	// settle() sees it through the harness' log).
}

// forget drops a released or closed queue from the reservation order.
func (z *fuzzer) forget(q int64) {
	g := z.groupOf[q]
	for i, gq := range g.queues {
		if gq == q {
			p := g.procs[i]
			z.order[p] = slices.DeleteFunc(z.order[p], func(x int64) bool { return x == q })
		}
	}
}

// syncClosed forgets queues the harness closed (an executor's Close).
func (z *fuzzer) syncClosed() {
	z.h.mu.Lock()
	defer z.h.mu.Unlock()
	for _, qs := range z.order {
		for _, q := range qs {
			if l := z.h.logs[q]; l != nil && l.closed {
				z.groupOf[q].ended = true
				defer z.forget(q)
			}
		}
	}
}

func (z *fuzzer) handlerOf(q int64) int64 {
	g := z.groupOf[q]
	return g.procs[slices.Index(g.queues, q)]
}

func (z *fuzzer) startBody(s *fserver) {
	p := z.handlerOf(s.serving)
	clients := []int64{p}
	name := fmt.Sprintf("body on %d (executor %d)", p, s.thread)
	if !s.executor {
		clients = []int64{s.thread, p}
		name = fmt.Sprintf("body on %d (%s helping)", p, s.helper.name)
	}
	s.body = &actor{name: name, client: p, thread: s.thread, clients: clients, server: s}
	z.note("%s starts", name)
}

func (z *fuzzer) endBody(s *fserver) {
	for _, g := range s.body.openGroups() {
		z.end(s.body, g)
	}
	z.note("%s ends", s.body.name)
	s.body = nil
}

func (z *fuzzer) help(x *actor, q int64) {
	got := z.h.rt.Help(x.thread, q)
	z.note("%s helps for %d: %d", x.name, q, got)
	if got == 0 {
		return
	}
	s := &fserver{thread: x.thread, helper: x}
	x.helping = s
	z.servers = append(z.servers, s)
	z.onResult(s, result{q: got})
}

// The model.

// owner returns the thread that must act for client c's reservations to
// end: a thread client's own thread, or the thread that runs processor
// c's body; 0 for none.
func (z *fuzzer) owner(c int64) int64 {
	for _, s := range z.servers {
		if s.body != nil && s.body.client == c {
			return s.thread
		}
	}
	for _, a := range z.threads {
		if a.client == c {
			return a.thread
		}
	}
	return 0
}

// needs returns the threads that must act before private queue q can be
// served: the clients of explicit reservations ahead of q (or of a sibling
// of q's group, which must reach its head too) that have not logged their
// release, and the threads running a body on those handlers; recursively
// for the reservations ahead, which must start before they end.
func (z *fuzzer) needs(q int64, seen map[int64]bool, out map[int64]bool) {
	if seen[q] {
		return
	}
	seen[q] = true
	g := z.groupOf[q]
	for i, x := range g.queues {
		p := g.procs[i]
		at := slices.Index(z.order[p], x)
		if at < 0 {
			continue // released
		}
		for _, s := range z.servers {
			if s.body != nil && z.handlerOf(s.serving) == p {
				out[s.thread] = true
			}
		}
		for _, y := range z.order[p][:at] {
			if yg := z.groupOf[y]; !yg.implicit && !yg.ended {
				if o := z.owner(yg.client); o != 0 {
					out[o] = true
				}
			}
			z.needs(y, seen, out)
		}
	}
}

// deadWaits returns the blocked threads whose waits can never end, with
// extra waits added as if blocked: a wait is live when every thread it
// needs is free or has a live wait (a least fixpoint); the rest are dead,
// each needing another dead one: a cycle.
func (z *fuzzer) deadWaits(extra map[int64]int64) map[int64]bool {
	z.syncClosed()
	waits := make(map[int64]int64)
	maps.Copy(waits, extra)
	for _, a := range z.actors() {
		if a.wait != nil && !a.wait.signalled {
			waits[a.thread] = a.wait.q
		}
	}
	needs := make(map[int64]map[int64]bool)
	for t, q := range waits {
		needs[t] = make(map[int64]bool)
		if _, open := z.groupOf[q]; open {
			z.needs(q, make(map[int64]bool), needs[t])
		}
	}
	live := make(map[int64]bool)
	for changed := true; changed; {
		changed = false
		for t := range waits {
			if live[t] {
				continue
			}
			ok := true
			for n := range needs[t] {
				if _, blocked := waits[n]; blocked && !live[n] {
					ok = false
				}
			}
			if ok {
				live[t], changed = true, true
			}
		}
	}
	dead := make(map[int64]bool)
	for t := range waits {
		if !live[t] {
			dead[t] = true
		}
	}
	return dead
}

// drain lets every free client release what it holds and the servers run
// everything they can, ending waits that are answered; threads that stay
// blocked must be in a cycle that WaitFor reports when asked again.
func (z *fuzzer) drain() {
	z.note("drain")
	for range 10000 {
		z.settle()
		z.checkCore()
		if z.t.Failed() {
			return
		}
		z.syncClosed()
		if z.drainStep() {
			continue
		}
		dead := z.deadWaits(nil)
		var blocked []*actor
		for _, a := range z.actors() {
			if a.wait != nil {
				blocked = append(blocked, a)
			}
		}
		if len(blocked) == 0 {
			return
		}
		if len(dead) == 0 {
			z.t.Errorf("stuck, yet no wait is dead by the model")
			return
		}
		if !z.retryDead(blocked, dead) {
			z.t.Errorf("deadlock among threads %v not reported", slices.Sorted(maps.Keys(dead)))
			return
		}
	}
	z.t.Errorf("drain did not finish")
}

// drainStep makes one step of progress, if any can be made.
func (z *fuzzer) drainStep() bool {
	rt := z.h.rt
	for _, a := range z.actors() {
		if a.wait == nil || a.wait.signalled {
			continue
		}
		rt.mu.Lock()
		pq := rt.queues[a.wait.q]
		answered := pq == nil || (pq.handler.head() == pq && pq.handler.state == procParked)
		rt.mu.Unlock()
		if answered {
			z.note("%s's wait is answered", a.name)
			z.unblock(a)
			return true
		}
	}
	for _, a := range z.freeActors() {
		if g, ok := pick(a.openGroups(), 0); ok {
			z.note("%s ends %v", a.name, g.queues)
			z.end(a, g)
			return true
		}
	}
	for _, s := range z.servers {
		if s.body != nil && s.body.wait == nil {
			z.endBody(s)
			return true
		}
	}
	if s, ok := pick(z.idleServers(), 0); ok {
		z.serveStep(s)
		return true
	}
	return false
}

// retryDead asks again for each dead wait, as Python's wait loop does every
// slice, until one reports the deadlock; the reporting client's wait then
// ends (DeadlockError), and the drain goes on.
func (z *fuzzer) retryDead(blocked []*actor, dead map[int64]bool) bool {
	for _, a := range blocked {
		if !dead[a.thread] {
			continue
		}
		q := a.wait.q
		z.note("%s asks again", a.name)
		z.unblock(a)
		z.settle()
		z.waitFor(a, q)
		if a.wait == nil {
			return true // Deadlock
		}
	}
	return false
}

// checkCore checks the processors' invariants (processor's doc comment).
func (z *fuzzer) checkCore() {
	rt := z.h.rt
	rt.mu.Lock()
	defer rt.mu.Unlock()
	for _, id := range z.procs {
		p := rt.procs[id]
		if (p.state == procIdle) != (len(p.queues) == 0) {
			z.t.Errorf("processor %d is %s with %d queues", id, p.state, len(p.queues))
		}
		if (p.executor != nil) != (p.state == procRunning) {
			z.t.Errorf("processor %d is %s, executor %v", id, p.state, p.executor)
		}
		if p.wakePending && p.state != procRunning {
			z.t.Errorf("processor %d has a wake pending while %s", id, p.state)
		}
		if (p.state == procReady) != slices.Contains(rt.runq, p) {
			z.t.Errorf("processor %d is %s; in the run queue: %v", id, p.state, slices.Contains(rt.runq, p))
		}
		if h := p.head(); h != nil {
			if p.state == procWaiting && h.group.complete() {
				z.t.Errorf("processor %d waits for a group that is at the head everywhere", id)
			}
			if p.state != procWaiting && !h.group.complete() {
				z.t.Errorf("processor %d is %s with its head's group not at the head everywhere", id, p.state)
			}
		}
	}
}

// checkServed checks that every call was served exactly once, in order, and
// that every processor ended idle.
func (z *fuzzer) checkServed() {
	served := make(map[int64][]int)
	for _, p := range z.procs {
		for _, ev := range z.h.history(p) {
			if !ev.end {
				served[ev.queue] = append(served[ev.queue], ev.id)
			}
		}
		if s := stateOf(z.h.rt, p); s != procIdle {
			z.t.Errorf("processor %d is %s at the end\n%s", p, s, z.describe())
		}
	}
	for q, ids := range z.logged {
		if !slices.Equal(ids, served[q]) {
			z.t.Errorf("queue %d: logged %v, served %v", q, ids, served[q])
		}
	}
}

func (z *fuzzer) describe() string {
	var b strings.Builder
	b.WriteString("program:\n")
	for _, s := range z.trace {
		fmt.Fprintf(&b, "  %s\n", s)
	}
	b.WriteString(dumpRuntime(z.h.rt))
	return b.String()
}
