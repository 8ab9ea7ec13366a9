package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// An executor whose call body blocks as a client (Wait) stops counting as
// active: a processor that is ready meanwhile gets another executor, an
// idle one if there is one, else one asked of the spawner.
func TestBlockedExecutorIsReplaced(t *testing.T) {
	t.Run("spawn request", func(t *testing.T) {
		s := newStepper(t)
		sp := s.thread()
		require.NoError(t, s.rt.BecomeSpawner(sp))
		e1, c := s.executor(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c, false, p1)[0]
		require.Equal(t, q1, s.next(e1))
		q2 := s.reserve(c, false, p2)[0]
		assert.Equal(t, 1, s.rt.Stats().Ready, "MaxActive=1: p2 waits for the running executor")

		// e1's call body waits for p2, as a client.
		waiting := async(func() bool { ok, _ := s.rt.Wait(e1, -1); return ok })
		spawn := async(s.rt.WaitSpawn)
		require.GreaterOrEqual(t, receive(t, spawn, "a spawn request"), int64(1))

		e2 := s.executor() // what the spawner starts
		require.Equal(t, q2, s.next(e2))
		s.rt.Signal(e1) // p2 answered e1's query
		require.True(t, receive(t, waiting, "e1's Wait"))
		assert.Equal(t, 2, s.rt.Stats().Running)
	})

	t.Run("idle executor", func(t *testing.T) {
		s := newStepper(t)
		e1, e2, c := s.executor(), s.executor(), s.thread()
		p1, p2 := s.proc(), s.proc()
		q1 := s.reserve(c, false, p1)[0]
		require.Equal(t, q1, s.next(e1))
		idle := async(func() result { return res(s.rt.Next(e2)) })
		eventually(t, "e2 to go idle", func() bool { return s.rt.Stats().Idle == 1 })

		q2 := s.reserve(c, false, p2)[0]
		blocked(t, idle, "e2's Next while MaxActive executors run")
		assert.Equal(t, procReady, s.state(p2))

		waiting := async(func() bool { ok, _ := s.rt.Wait(e1, -1); return ok })
		got := receive(t, idle, "e2's Next once e1 blocks")
		require.NoError(t, got.err)
		require.Equal(t, q2, got.q)
		s.rt.Signal(e1)
		require.True(t, receive(t, waiting, "e1's Wait"))
	})
}

// The monitor adds an executor when every active executor has stayed out
// of the core for StallAfter while a processor waits: here the only
// executor runs a call body that waits, outside pyscoop, for a call on
// another processor. Without the monitor this deadlocks.
func TestMonitorAddsExecutorForStalledBody(t *testing.T) {
	for _, tc := range []struct {
		name      string
		executors int
		spawner   bool
	}{
		{"spawner starts one", 1, true},
		{"idle executor assigned", 2, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, Options{MaxActive: 1, StallAfter: time.Millisecond})
			procs := h.processors(2)
			for range tc.executors {
				h.startExecutor()
			}
			if tc.spawner {
				h.startSpawner()
			}
			// All idle first, so that only the monitor can give the
			// second processor an executor.
			eventually(t, "executors idle", func() bool { return h.rt.Stats().Idle == tc.executors })
			c := h.rt.NewThread()
			started, answered := make(chan struct{}), make(chan struct{})
			q1 := h.reserve(c, procs[:1], false)[0]
			h.log(q1, call{id: 1, body: func(int64) {
				close(started)
				select {
				case <-answered:
				case <-time.After(failAfter):
					t.Errorf("the call on processor %d never ran while this body waited for it", procs[1])
				}
			}}, call{end: true})
			receive(t, started, "the first call body")
			q2 := h.reserve(c, procs[1:], false)[0]
			h.log(q2, call{id: 2, body: func(int64) { close(answered) }}, call{end: true})
			h.until("both calls", func() bool { return h.ends == 2 })

			assert.GreaterOrEqual(t, h.rt.Stats().Stalls, int64(1))
			if tc.spawner {
				assert.GreaterOrEqual(t, h.spawned.Load(), int64(1))
			}
			assert.NotEqual(t, h.history(procs[0])[0].exec, h.history(procs[1])[0].exec,
				"the two calls ran on different executors")
		})
	}
}

// Executors idle for IdleRetire retire, down to one, which stays and
// still serves.
func TestIdleExecutorsRetire(t *testing.T) {
	const retire = 20 * time.Millisecond
	h := newHarness(t, Options{IdleRetire: retire})
	p := h.processors(1)[0]
	for range 4 {
		h.startExecutor()
	}
	eventually(t, "three executors to retire", func() bool { return h.exited.Load() == 3 })
	time.Sleep(5 * retire)
	assert.Equal(t, int64(3), h.exited.Load(), "the last executor must not retire")
	st := h.rt.Stats()
	assert.Equal(t, 1, st.Executors)
	assert.Equal(t, 1, st.Idle)

	q := h.reserve(h.rt.NewThread(), []int64{p}, false)[0]
	h.log(q, call{id: 1}, call{end: true})
	h.until("the last executor serves", func() bool { return h.ends == 1 })
}

// While Python's GC runs a full collection (Collecting), executors waiting
// for the GIL are not stuck: the monitor adds none, however long it lasts.
// Afterwards, every executor counts as just seen.
func TestNoStallsWhileCollecting(t *testing.T) {
	rt := New(Options{StallAfter: time.Millisecond})
	t.Cleanup(func() { receive(t, async(func() bool { rt.Shutdown(); return true }), "Shutdown") })
	s := &stepper{t: t, rt: rt}
	e, c := s.executor(), s.thread()
	p1, p2 := s.proc(), s.proc()
	q1 := s.reserve(c, false, p1)[0]
	require.Equal(t, q1, s.next(e)) // e "runs a body" from now on
	rt.Collecting(true)
	s.reserve(c, false, p2) // ready, waiting for an executor
	// The monitor ticks every 0.5 ms: give it many ticks to act, wrongly.
	time.Sleep(50 * time.Millisecond)
	assert.Equal(t, int64(0), rt.Stats().Stalls, "no executor added during a collection")

	rt.Collecting(false)
	rt.mu.Lock()
	seen := rt.threads[e].lastCross
	rt.mu.Unlock()
	assert.Greater(t, seen, int64(0))
	// Once the collection is over, a body that really stays out is a stall.
	eventually(t, "the monitor to see the stall", func() bool { return rt.Stats().Stalls >= 1 })
}
