package core

import (
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// WaitQuiet returns true once no processor is busy (idle or parked on a
// drained queue both count as quiet) and false on timeout while one is.
func TestWaitQuiet(t *testing.T) {
	h := newHarness(t, Options{})
	procs := h.processors(2)
	h.startExecutor()
	w := h.rt.NewThread()

	ok, err := h.rt.WaitQuiet(w, failAfter)
	require.NoError(t, err)
	require.True(t, ok, "a runtime with nothing reserved is quiet")

	running, proceed := make(chan struct{}), make(chan struct{})
	q := h.reserve(h.rt.NewThread(), procs[:1], false)[0]
	h.log(q, call{id: 1, body: func(int64) { close(running); <-proceed }})
	receive(t, running, "the call body to start")
	ok, err = h.rt.WaitQuiet(w, 30*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "a call body runs")

	quiet := async(func() bool { ok, _ := h.rt.WaitQuiet(w, failAfter); return ok })
	close(proceed)
	require.True(t, receive(t, quiet, "WaitQuiet"), "the processor parked on its drained queue")
	assert.Equal(t, procParked, stateOf(h.rt, procs[0]))

	// A group waiting for a held processor is busy: not quiet.
	g := h.reserve(h.rt.NewThread(), procs, false)
	ok, err = h.rt.WaitQuiet(w, 30*time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok, "processor %d waits for its group", procs[1])

	h.end(q)
	for _, gq := range g {
		h.end(gq)
	}
	ok, err = h.rt.WaitQuiet(w, failAfter)
	require.NoError(t, err)
	require.True(t, ok)
	assert.Equal(t, 0, h.rt.Stats().Queues)
}

// Shutdown wakes executors blocked in Next (they return 0) and the spawner
// (WaitSpawn returns -1); afterwards, reserving and creating processors
// fail with ErrStopped.
func TestShutdown(t *testing.T) {
	s := newStepper(t)
	p := s.proc()
	sp := s.thread()
	require.NoError(t, s.rt.BecomeSpawner(sp))
	e1, e2 := s.executor(), s.executor()
	next1 := async(func() result { return res(s.rt.Next(e1)) })
	next2 := async(func() result { return res(s.rt.Next(e2)) })
	spawn := async(s.rt.WaitSpawn)
	eventually(t, "executors idle", func() bool { return s.rt.Stats().Idle == 2 })
	blocked(t, spawn, "WaitSpawn with nothing to spawn")

	s.rt.Shutdown()
	for _, ch := range []<-chan result{next1, next2} {
		got := receive(t, ch, "Next after Shutdown")
		require.NoError(t, got.err)
		assert.Zero(t, got.q)
	}
	assert.Equal(t, int64(-1), receive(t, spawn, "WaitSpawn after Shutdown"))
	assert.Equal(t, int64(-1), s.rt.WaitSpawn())
	assert.Equal(t, 0, s.rt.Stats().Executors)

	assert.ErrorIs(t, s.rt.Reserve(sp, []int64{p}, []int64{1}, false), ErrStopped)
	_, err := s.rt.NewProcessor()
	assert.ErrorIs(t, err, ErrStopped)
	s.rt.Shutdown() // twice is fine
}

// An executor serving a queue when Shutdown comes finishes it, then exits.
func TestShutdownWhileServing(t *testing.T) {
	s := newStepper(t)
	e, c := s.executor(), s.thread()
	p := s.proc()
	q1 := s.reserve(c, false, p)[0]
	q2 := s.reserve(c, false, p)[0]
	require.Equal(t, q1, s.next(e))
	s.rt.Shutdown()
	require.Equal(t, q2, s.release(e, q1), "reservations already queued still run")
	require.Zero(t, s.release(e, q2))
	require.Zero(t, s.rt.Stats().Busy)
}

// Misuse is reported as an error, and changes nothing.
func TestErrors(t *testing.T) {
	s := newStepper(t)
	e, other, c := s.executor(), s.executor(), s.thread()
	p1, p2, p3 := s.proc(), s.proc(), s.proc()
	q1 := s.reserve(c, false, p1)[0]
	waiting := s.reserve(c, false, p1)[0]
	require.Equal(t, q1, s.next(e))
	before := s.rt.Stats()

	for _, tc := range []struct {
		name string
		err  func() error
	}{
		{"Reserve no handler", func() error { return s.rt.Reserve(c, nil, nil, false) }},
		{"Reserve unsorted", func() error { return s.rt.Reserve(c, []int64{p2, p1}, []int64{1, 2}, false) }},
		{"Reserve duplicate", func() error { return s.rt.Reserve(c, []int64{p2, p2}, []int64{1, 2}, false) }},
		{"Reserve unknown processor", func() error { return s.rt.Reserve(c, []int64{p2, 1 << 40}, []int64{1, 2}, false) }},
		{"Reserve queue id in use", func() error { return s.rt.Reserve(c, []int64{p2, p3}, []int64{1, q1}, false) }},
		{"Reserve one queue id twice", func() error { return s.rt.Reserve(c, []int64{p2, p3}, []int64{7, 7}, false) }},
		{"Reserve zero queue id", func() error { return s.rt.Reserve(c, []int64{p2}, []int64{0}, false) }},
		{"Reserve ids and handlers differ in length", func() error { return s.rt.Reserve(c, []int64{p2, p3}, []int64{1}, false) }},
		{"Park by a client", func() error { _, err := s.rt.Park(c, q1, true, 0); return err }},
		{"Park by another executor", func() error { _, err := s.rt.Park(other, q1, true, 0); return err }},
		{"Park of a queue not at the head", func() error { _, err := s.rt.Park(e, waiting, true, 0); return err }},
		{"Park of an unknown queue", func() error { _, err := s.rt.Park(e, 1<<40, true, 0); return err }},
		{"Release by another executor", func() error { _, err := s.rt.Release(other, q1); return err }},
		{"Release of a queue not at the head", func() error { _, err := s.rt.Release(e, waiting); return err }},
		{"Release by an unknown thread", func() error { _, err := s.rt.Release(1<<40, q1); return err }},
		{"Next by a client", func() error { _, err := s.rt.Next(c); return err }},
		{"Wait by an unknown thread", func() error { _, err := s.rt.Wait(1<<40, 0); return err }},
		{"WaitQuiet by an unknown thread", func() error { _, err := s.rt.WaitQuiet(1<<40, 0); return err }},
		{"BecomeExecutor unknown thread", func() error { return s.rt.BecomeExecutor(1 << 40) }},
		{"BecomeSpawner unknown thread", func() error { return s.rt.BecomeSpawner(1 << 40) }},
		{"DropProcessor running", func() error { return s.rt.DropProcessor(p1) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Error(t, tc.err())
			assert.Equal(t, before, s.rt.Stats())
		})
	}

	t.Run("DropProcessor", func(t *testing.T) {
		q := s.reserve(c, false, p2)[0]
		assert.Error(t, s.rt.DropProcessor(p2), "a reservation is queued")
		require.Equal(t, q, s.release(e, q1))
		require.Equal(t, waiting, s.park(e, q, true))
		assert.Equal(t, procParked, s.state(p2))
		assert.Error(t, s.rt.DropProcessor(p2), "parked on a reservation")
		assert.NoError(t, s.rt.DropProcessor(p3), "idle")
		assert.NoError(t, s.rt.DropProcessor(p3), "already dropped")
		assert.Equal(t, 2, s.rt.Stats().Processors)
	})
}

// A thread dropped after WaitQuiet timed out is no longer posted when the
// runtime becomes quiet: its semaphore goes to a new thread (semPool).
func TestDropThreadAfterWaitQuietTimeout(t *testing.T) {
	s := newStepper(t)
	e, c, w := s.executor(), s.thread(), s.thread()
	q := s.reserve(c, false, s.proc())[0]
	require.Equal(t, q, s.next(e))
	ok, err := s.rt.WaitQuiet(w, time.Millisecond)
	require.NoError(t, err)
	require.False(t, ok)

	s.rt.DropThread(w)
	s.rt.mu.Lock()
	dangling := slices.ContainsFunc(s.rt.quietWaiters, func(th *thread) bool { return th.id == w })
	s.rt.mu.Unlock()
	require.False(t, dangling, "a dropped thread's recycled semaphore would be posted when the runtime goes quiet")

	s.rt.Shutdown()
	require.Zero(t, s.release(e, q)) // quiet now: posts the remaining waiters
}

// Each runtime owns the ids it hands out, and no other runtime does: that is
// how a thread that outlived its runtime finds it again (pybind.DropThread).
func TestOwns(t *testing.T) {
	a, b := New(Options{}), New(Options{})
	defer a.Shutdown()
	defer b.Shutdown()
	ta, pb := a.NewThread(), b.NewThread()
	p, err := a.NewProcessor()
	require.NoError(t, err)
	assert.True(t, a.Owns(ta))
	assert.True(t, a.Owns(p))
	assert.False(t, a.Owns(pb))
	assert.True(t, b.Owns(pb))
	assert.False(t, b.Owns(ta))
	assert.Equal(t, 2, a.Stats().Threads+a.Stats().Processors)
	a.DropThread(ta)
	assert.Zero(t, a.Stats().Threads)
}
