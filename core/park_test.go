package core

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A stepper drives a runtime call by call from the test's goroutine, for
// tests that check one transition at a time. Calls that block run in
// goroutines (async).
type stepper struct {
	t     *testing.T
	rt    *Runtime
	lastQ int64
}

// newStepper returns a stepper on a new runtime whose monitor never acts,
// so that only the steps of the test change its state.
func newStepper(t *testing.T) *stepper {
	rt := New(Options{StallAfter: time.Hour})
	t.Cleanup(func() { receive(t, async(func() bool { rt.Shutdown(); return true }), "Shutdown") })
	return &stepper{t: t, rt: rt}
}

func (s *stepper) thread() int64 { return s.rt.NewThread() }

func (s *stepper) executor() int64 {
	e := s.rt.NewThread()
	require.NoError(s.t, s.rt.BecomeExecutor(e))
	return e
}

func (s *stepper) proc() int64 {
	p, err := s.rt.NewProcessor()
	require.NoError(s.t, err)
	return p
}

// reserve reserves procs for client and returns the private queue ids.
func (s *stepper) reserve(client int64, implicit bool, procs ...int64) []int64 {
	ids := make([]int64, len(procs))
	for i := range ids {
		s.lastQ++
		ids[i] = 1000 + s.lastQ
	}
	require.NoError(s.t, s.rt.Reserve(client, procs, ids, implicit))
	return ids
}

// next, park and release block when the core has nothing for the
// executor: they fail the test after failAfter instead of hanging.
func (s *stepper) next(e int64) int64 {
	s.t.Helper()
	got := receive(s.t, async(func() result { return res(s.rt.Next(e)) }), "Next")
	require.NoError(s.t, got.err)
	return got.q
}

func (s *stepper) park(e, q int64, mayClose bool) int64 {
	s.t.Helper()
	got := receive(s.t, async(func() result { return res(s.rt.Park(e, q, mayClose, 0)) }), "Park")
	require.NoError(s.t, got.err)
	return got.q
}

func (s *stepper) release(e, q int64) int64 {
	s.t.Helper()
	got := receive(s.t, async(func() result { return res(s.rt.Release(e, q)) }), "Release")
	require.NoError(s.t, got.err)
	return got.q
}

func (s *stepper) state(p int64) procState { return stateOf(s.rt, p) }

// Park and Wake: a drained queue parks its processor, a Wake after a log
// makes it ready again, a Wake that comes before the Park makes Park return
// the queue itself, and stale Wakes change nothing.
func TestParkWake(t *testing.T) {
	t.Run("parked processor frees its executor for other work", func(t *testing.T) {
		s := newStepper(t)
		e, c := s.executor(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c, false, p1)[0]
		require.Equal(t, q1, s.next(e))
		q2 := s.reserve(c, false, p2)[0]
		assert.Equal(t, procReady, s.state(p2))

		require.Equal(t, q2, s.park(e, q1, true), "Park hands the executor the ready processor")
		assert.Equal(t, procParked, s.state(p1))
		assert.Equal(t, 1, s.rt.Stats().Busy, "a parked processor is not busy")

		s.rt.Wake(q1) // the client logged into q1
		assert.Equal(t, procReady, s.state(p1))
		require.Equal(t, q1, s.release(e, q2), "the woken processor is next")
		assert.Equal(t, procRunning, s.state(p1))
	})

	t.Run("executor with nothing else to do blocks until Wake", func(t *testing.T) {
		s := newStepper(t)
		e, c := s.executor(), s.thread()
		p := s.proc()
		q := s.reserve(c, false, p)[0]
		require.Equal(t, q, s.next(e))

		parked := async(func() result { return res(s.rt.Park(e, q, true, c)) })
		ok, err := s.rt.Wait(c, failAfter)
		require.NoError(t, err)
		require.True(t, ok, "Park posts the notify thread")
		assert.Equal(t, procParked, s.state(p), "the notified client finds the processor parked")
		blocked(t, parked, "Park on a drained queue")
		eventually(t, "the executor to go idle", func() bool { return s.rt.Stats().Idle == 1 })

		s.rt.Wake(q)
		got := receive(t, parked, "Park after Wake")
		require.NoError(t, got.err)
		require.Equal(t, q, got.q)
		assert.Equal(t, procRunning, s.state(p))
	})

	t.Run("Wake before Park makes Park return the queue", func(t *testing.T) {
		s := newStepper(t)
		e, c := s.executor(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c, false, p1)[0]
		require.Equal(t, q1, s.next(e))

		// The client logs twice while the handler still runs: the wakes
		// coalesce into one.
		s.rt.Wake(q1)
		s.rt.Wake(q1)
		require.Equal(t, q1, s.park(e, q1, true), "serve q1 again")
		q2 := s.reserve(c, false, p2)[0]
		require.Equal(t, q2, s.park(e, q1, true), "no wake left: q1 parks")
		assert.Equal(t, procParked, s.state(p1))
	})

	t.Run("stale Wakes are harmless", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c1, false, p1)[0]
		q2 := s.reserve(c2, false, p1)[0]
		require.Equal(t, q1, s.next(e))

		s.rt.Wake(q2) // not at the head yet: nothing to wake
		require.Equal(t, q2, s.release(e, q1), "the next reservation, on the same thread")
		before := s.rt.Stats()
		s.rt.Wake(q1)      // released
		s.rt.Wake(1 << 40) // never existed
		assert.Equal(t, before, s.rt.Stats())
		assert.Equal(t, procRunning, s.state(p1))

		// No wake was left pending on q2: it parks.
		q3 := s.reserve(c1, false, p2)[0]
		require.Equal(t, q3, s.park(e, q2, true))
		assert.Equal(t, procParked, s.state(p1))
	})
}

// Close: a drained implicit queue with another reservation behind it is
// closed rather than parked; explicit queues never are; and a parked
// implicit head is looked at again when a reservation queues behind it.
func TestClose(t *testing.T) {
	t.Run("drained contended implicit queue closes", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p := s.proc()
		q1 := s.reserve(c1, true, p)[0]
		require.Equal(t, q1, s.next(e))
		q2 := s.reserve(c2, false, p)[0]
		require.Equal(t, Close, s.park(e, q1, true))
		assert.Equal(t, procRunning, s.state(p), "the executor keeps the processor to close the queue")
		require.Equal(t, q2, s.release(e, q1))
	})

	t.Run("a wake beats Close", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p := s.proc()
		q1 := s.reserve(c1, true, p)[0]
		require.Equal(t, q1, s.next(e))
		s.reserve(c2, false, p)
		s.rt.Wake(q1)
		require.Equal(t, q1, s.park(e, q1, true), "the client logged more: serve it first")
		require.Equal(t, Close, s.park(e, q1, true))
	})

	t.Run("mayClose false parks", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c1, true, p1)[0]
		require.Equal(t, q1, s.next(e))
		s.reserve(c2, false, p1)
		q3 := s.reserve(c2, false, p2)[0]
		require.Equal(t, q3, s.park(e, q1, false))
		assert.Equal(t, procParked, s.state(p1))
		// Nothing looks at p1 again until its client logs (see the
		// report: a client that never does holds p1 forever).
		s.rt.Wake(q1)
		require.Equal(t, q1, s.release(e, q3))
		require.Equal(t, Close, s.park(e, q1, true))
	})

	t.Run("explicit queue never closes", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p := s.proc()
		q1 := s.reserve(c1, false, p)[0]
		require.Equal(t, q1, s.next(e))
		q2 := s.reserve(c2, false, p)[0]

		parked := async(func() result { return res(s.rt.Park(e, q1, true, 0)) })
		blocked(t, parked, "Park on an explicit queue")
		assert.Equal(t, procParked, s.state(p))

		s.rt.Wake(q1) // the client logs its release marker
		got := receive(t, parked, "Park after Wake")
		require.NoError(t, got.err)
		require.Equal(t, q1, got.q)
		require.Equal(t, q2, s.release(e, q1))
	})

	t.Run("parked implicit head is readied by a reservation behind it", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c1, true, p1)[0]
		require.Equal(t, q1, s.next(e))

		parked := async(func() result { return res(s.rt.Park(e, q1, true, 0)) })
		blocked(t, parked, "Park on an uncontended implicit queue")
		assert.Equal(t, procParked, s.state(p1))

		g := s.reserve(c2, false, p1, p2) // a group behind it
		assert.Equal(t, procWaiting, s.state(p2))
		got := receive(t, parked, "Park after a reservation queued behind")
		require.NoError(t, got.err)
		require.Equal(t, q1, got.q, "the executor is handed q1 again, to close it")
		require.Equal(t, Close, s.park(e, q1, true))

		// Closing q1 puts the group at the head everywhere: the executor
		// goes on with one of its queues, the other processor is ready.
		first := s.release(e, q1)
		require.Contains(t, g, first)
		other := g[0]
		if first == g[0] {
			other = g[1]
		}
		assert.Equal(t, 1, s.rt.Stats().Ready)
		require.Equal(t, other, s.release(e, first))
	})
}

// Clients that log into implicit queues while others contend for the same
// handler: queues are closed under them and reopened, and yet every call
// runs once, each client's calls in order.
func TestImplicitQueuesUnderContention(t *testing.T) {
	const clients, calls = 6, 300
	h := newHarness(t, Options{MaxActive: 2})
	p := h.processors(1)[0]
	h.startExecutor()
	h.startExecutor()

	reopened := make([]int, clients)
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := h.rt.NewThread()
			var q int64
			for i := range calls {
				// Log into the open implicit queue; if its handler closed
				// it, open another (SPEC §2: a call outside any
				// reservation is a reservation of its own).
				for q == 0 || !h.log(q, call{id: i}) {
					q = h.reserve(client, []int64{p}, true)[0]
					reopened[c]++
				}
				// Pause now and then, so that the handler drains the
				// queue and parks or closes it between calls.
				if i%3 == 0 {
					time.Sleep(20 * time.Microsecond)
				} else {
					runtime.Gosched()
				}
			}
		}()
	}
	wg.Wait()
	h.until("every call served", func() bool { return len(h.hist[p]) == clients*calls })

	byClient := make(map[int64][]int)
	for _, ev := range h.history(p) {
		byClient[ev.client] = append(byClient[ev.client], ev.id)
	}
	require.Len(t, byClient, clients)
	want := make([]int, calls)
	for i := range want {
		want[i] = i
	}
	for c, ids := range byClient {
		require.Equal(t, want, ids, "client %d's calls", c)
	}
	t.Logf("implicit queues opened per client: %v", reopened)
}
