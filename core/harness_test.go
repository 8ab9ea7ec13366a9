package core

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// failAfter bounds how long a test waits for something that must happen
// before it fails instead of hanging. It bounds failure, never success:
// no test asserts that the core is fast.
const failAfter = 10 * time.Second

// The harness plays the Python side of the core with goroutines: clients
// reserve processors and log calls into a fake client log per private
// queue (the Go stand-in for the Python deque), and executor goroutines
// loop Next → serve → Park/Release like Python executor threads, recording
// every call they serve in the history of its handler.
//
// While serving, the harness checks the invariants that hold in every
// test, whatever it does:
//   - a processor serves one private queue at a time: it is never handed a
//     queue while another one still holds it;
//   - each processor serves its private queues in reservation order (the
//     harness allocates queue ids in that order);
//   - a request group starts on none of its handlers while another of them
//     still serves someone else (SPEC §4).

// A call is one item that a fake client logs into a private queue.
type call struct {
	id   int
	end  bool             // the release marker: the executor releases the queue after it
	body func(exec int64) // the call body, run by the executor; nil for none
}

// An event is one served call, in its handler's history.
type event struct {
	seq    int64 // when it was served, counted across all processors
	exec   int64 // the executor thread that served it
	queue  int64
	client int64
	id     int
	end    bool
}

// A qlog is the fake client log of one private queue. The client appends
// calls, the executor consumes them; both under harness.mu.
type qlog struct {
	id       int64
	proc     int64
	client   int64
	siblings []*qlog // the other queues of its request group
	calls    []call
	closed   bool // the executor closed this implicit queue (Park returned Close)
	done     bool // released or closed
}

type harness struct {
	t  testing.TB
	rt *Runtime

	mu      sync.Mutex
	logs    map[int64]*qlog
	hist    map[int64][]event // per processor
	holder  map[int64]int64   // processor → private queue that holds it, as the executors saw it
	started map[int64]int64   // processor → last private queue it started
	seq     int64
	lastQ   int64         // the last private queue id handed out
	ends    int           // release markers served
	changed chan struct{} // closed and replaced whenever an event is recorded

	wg      sync.WaitGroup // executor and spawner goroutines
	spawned atomic.Int64   // executors started on the spawner's request
	exited  atomic.Int64   // executors whose Next returned 0
	once    sync.Once
}

// newHarness returns a harness on a new runtime, shut down and drained
// when the test ends.
func newHarness(t testing.TB, opts Options) *harness {
	h := &harness{
		t:       t,
		rt:      New(opts),
		logs:    make(map[int64]*qlog),
		hist:    make(map[int64][]event),
		holder:  make(map[int64]int64),
		started: make(map[int64]int64),
		changed: make(chan struct{}),
	}
	t.Cleanup(h.stop)
	return h
}

// stop shuts the runtime down and waits for every executor and the spawner
// to exit. Call bodies must all be able to finish by then.
func (h *harness) stop() {
	h.once.Do(func() {
		done := make(chan struct{})
		go func() { h.rt.Shutdown(); h.wg.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(failAfter):
			h.t.Errorf("executors still running %v after Shutdown\n%s", failAfter, h.dump())
		}
	})
}

// processors creates n processors.
func (h *harness) processors(n int) []int64 {
	h.t.Helper()
	ps := make([]int64, n)
	for i := range ps {
		p, err := h.rt.NewProcessor()
		if err != nil {
			h.t.Fatalf("NewProcessor: %v", err)
		}
		ps[i] = p
	}
	return ps
}

// reserve reserves procs (sorted) for client, as one request group, and
// returns the private queue ids. The harness chooses the ids in increasing
// reservation order, and knows the queues before any executor can be
// handed them.
func (h *harness) reserve(client int64, procs []int64, implicit bool) []int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	ids := make([]int64, len(procs))
	for i := range ids {
		h.lastQ++
		ids[i] = h.lastQ
	}
	if err := h.rt.Reserve(client, procs, ids, implicit); err != nil {
		h.t.Errorf("Reserve(%d, %v, %v): %v", client, procs, ids, err)
		return nil
	}
	group := make([]*qlog, len(procs))
	for i, p := range procs {
		group[i] = &qlog{id: ids[i], proc: p, client: client}
		h.logs[ids[i]] = group[i]
	}
	for i, l := range group {
		l.siblings = slices.Delete(slices.Clone(group), i, i+1)
	}
	return ids
}

// log appends calls to private queue q and wakes its handler, as a client
// does: always Wake after logging, since only the core knows whether the
// handler parked, and stale wakes are harmless. It reports false, logging
// nothing, when the executor has closed q.
func (h *harness) log(q int64, calls ...call) bool {
	h.mu.Lock()
	l := h.logs[q]
	if l == nil || l.closed {
		h.mu.Unlock()
		return false
	}
	l.calls = append(l.calls, calls...)
	h.mu.Unlock()
	h.rt.Wake(q)
	return true
}

// end logs the release marker into q.
func (h *harness) end(q int64) bool { return h.log(q, call{end: true}) }

// startExecutor registers an executor thread and runs it in a goroutine
// until the core tells it to exit. It returns the thread's id.
func (h *harness) startExecutor() int64 {
	t := h.rt.NewThread()
	if err := h.rt.BecomeExecutor(t); err != nil {
		h.t.Errorf("BecomeExecutor: %v", err)
		return t
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		h.run(t)
		// Not deferred: a panic in the core, holding its mutex, must
		// crash the test rather than deadlock here.
		h.rt.DropThread(t)
	}()
	return t
}

// run is an executor thread's loop.
func (h *harness) run(t int64) {
	q, err := h.rt.Next(t)
	for err == nil && q > 0 {
		q, err = h.serve(t, q)
	}
	if err != nil {
		h.t.Errorf("executor %d: %v", t, err)
		return
	}
	h.exited.Add(1)
}

// startSpawner runs a spawner thread, which starts the executors that the
// core asks for, until the runtime stops.
func (h *harness) startSpawner() {
	sp := h.rt.NewThread()
	if err := h.rt.BecomeSpawner(sp); err != nil {
		h.t.Errorf("BecomeSpawner: %v", err)
		return
	}
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		for {
			n := h.rt.WaitSpawn()
			if n < 0 {
				return
			}
			for range n {
				h.spawned.Add(1)
				h.startExecutor()
			}
		}
	}()
}

// serve runs the calls logged in private queue q on executor t, as a Python
// executor does, and returns the queue the core hands t next.
func (h *harness) serve(t, q int64) (int64, error) {
	l := h.begin(q)
	if l == nil {
		return 0, fmt.Errorf("handed unknown private queue %d", q)
	}
	for {
		c, ok := h.pop(l)
		if !ok {
			break
		}
		if c.body != nil {
			c.body(t)
		}
		h.record(t, l, c)
		if c.end {
			h.finish(l, false)
			return h.rt.Release(t, q)
		}
	}
	next, err := h.rt.Park(t, q, true, 0)
	if err != nil || next != Close {
		return next, err
	}
	// Close q unless its client logged more since we found it drained.
	if !h.finish(l, true) {
		return q, nil
	}
	return h.rt.Release(t, q)
}

// begin looks up the log of q, which an executor was just handed, and
// checks the invariants of the harness' doc comment.
func (h *harness) begin(q int64) *qlog {
	h.mu.Lock()
	defer h.mu.Unlock()
	l := h.logs[q]
	if l == nil {
		h.t.Errorf("executor handed unknown private queue %d", q)
		return nil
	}
	switch cur := h.holder[l.proc]; cur {
	case q: // resumed after Park
	case 0:
		if last := h.started[l.proc]; q <= last {
			h.t.Errorf("processor %d started queue %d after queue %d, out of reservation order", l.proc, q, last)
		}
		// A sibling that has not finished yet must be at its handler's
		// head: no other queue may hold that handler. (One that has
		// finished may have been followed by later queues already.)
		for _, s := range l.siblings {
			if other := h.holder[s.proc]; other != 0 && other != s.id && !s.done {
				h.t.Errorf("group of queue %d started on processor %d while its handler %d still serves queue %d",
					q, l.proc, s.proc, other)
			}
		}
		h.holder[l.proc] = q
		h.started[l.proc] = q
	default:
		h.t.Errorf("processor %d handed queue %d while queue %d holds it", l.proc, q, cur)
	}
	return l
}

// pop takes the oldest call logged in l.
func (h *harness) pop(l *qlog) (call, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(l.calls) == 0 {
		return call{}, false
	}
	c := l.calls[0]
	l.calls = l.calls[1:]
	return c, true
}

// record appends a served call to its handler's history.
func (h *harness) record(t int64, l *qlog, c call) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seq++
	h.hist[l.proc] = append(h.hist[l.proc], event{
		seq: h.seq, exec: t, queue: l.id, client: l.client, id: c.id, end: c.end,
	})
	if c.end {
		h.ends++
	}
	close(h.changed)
	h.changed = make(chan struct{})
}

// finish records that l no longer holds its processor, just before the
// executor releases it. When closing, it does so only if l is still
// drained (atomically with respect to the client's log), and reports
// whether it did.
func (h *harness) finish(l *qlog, closing bool) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if closing {
		if len(l.calls) > 0 {
			return false
		}
		l.closed = true
	}
	if h.holder[l.proc] != l.id {
		h.t.Errorf("queue %d released processor %d held by queue %d", l.id, l.proc, h.holder[l.proc])
	}
	h.holder[l.proc] = 0
	l.done = true
	return true
}

// until waits, without polling, for cond to hold and fails the test after
// failAfter. cond runs with h.mu held and is re-evaluated whenever a call
// is served. Call it from the test's goroutine only.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(failAfter)
	for {
		h.mu.Lock()
		ok, ch := cond(), h.changed
		h.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-ch:
		case <-deadline:
			h.t.Fatalf("timed out after %v waiting for %s\n%s", failAfter, what, h.dump())
		}
	}
}

// endsReached returns a channel that is closed once n release markers
// have been served. Unlike until, it may be used from any goroutine.
func (h *harness) endsReached(n int) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		for {
			h.mu.Lock()
			ok, ch := h.ends >= n, h.changed
			h.mu.Unlock()
			if ok {
				close(done)
				return
			}
			<-ch
		}
	}()
	return done
}

// history returns a copy of processor p's history.
func (h *harness) history(p int64) []event {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.hist[p])
}

// dump describes the core's state, for failure messages.
func (h *harness) dump() string { return dumpRuntime(h.rt) }

func dumpRuntime(rt *Runtime) string {
	for deadline := time.Now().Add(time.Second); !rt.mu.TryLock(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			return "(the runtime's mutex is held: deadlock inside the core?)"
		}
	}
	defer rt.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "running=%d spawning=%d spawnRequests=%d busy=%d stopped=%v\n",
		rt.running, rt.spawning, rt.spawnRequests, rt.busy, rt.stopped)
	ids := make([]int64, 0, len(rt.procs))
	for id := range rt.procs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		p := rt.procs[id]
		qs := make([]int64, len(p.queues))
		for i, q := range p.queues {
			qs[i] = q.id
		}
		exec := int64(0)
		if p.executor != nil {
			exec = p.executor.id
		}
		fmt.Fprintf(&b, "processor %d: %s queues=%v executor=%d wakePending=%v\n", id, p.state, qs, exec, p.wakePending)
	}
	for _, p := range rt.runq {
		fmt.Fprintf(&b, "runq: %d\n", p.id)
	}
	for id, e := range rt.executors {
		fmt.Fprintf(&b, "executor %d: exec=%d idle=%v\n", id, e.exec, slices.Contains(rt.idle, e))
	}
	return b.String()
}

// stateOf returns processor p's state.
func stateOf(rt *Runtime, p int64) procState {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.procs[p].state
}

// eventually polls cond, for conditions on the core's state that no
// harness event signals, and fails the test after failAfter.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(failAfter)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", failAfter, what)
		}
		time.Sleep(time.Millisecond)
	}
}

// async runs f in a goroutine and returns a channel that delivers its
// result, for core calls that are expected to block.
func async[T any](f func() T) <-chan T {
	ch := make(chan T, 1)
	go func() { ch <- f() }()
	return ch
}

// receive waits for a result from ch and fails the test after failAfter.
func receive[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failAfter):
		t.Fatalf("timed out after %v waiting for %s", failAfter, what)
		panic("unreachable")
	}
}

// blocked checks that nothing arrives on ch for a while.
func blocked[T any](t testing.TB, ch <-chan T, what string) {
	t.Helper()
	select {
	case v := <-ch:
		t.Fatalf("%s returned %v, want it to block", what, v)
	case <-time.After(20 * time.Millisecond):
	}
}

// result pairs a core call's two results, for async.
type result struct {
	q   int64
	err error
}

func res(q int64, err error) result { return result{q, err} }
