package core

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func (s *stepper) fiber(hub int64) int64 {
	f, err := s.rt.NewFiber(hub)
	require.NoError(s.t, err)
	return f
}

func (s *stepper) nextFor(hub, f int64) int64 {
	s.t.Helper()
	got := receive(s.t, async(func() result { return res(s.rt.NextFor(hub, f)) }), "NextFor")
	require.NoError(s.t, got.err)
	return got.q
}

func (s *stepper) suspendFor(f, q int64, clients ...int64) int64 {
	s.t.Helper()
	v, err := s.rt.SuspendFor(f, q, clients)
	require.NoError(s.t, err)
	return v
}

// Fibers (fiber.go): a hub serves queues in the fibers it offers, a fiber
// that waits is suspended instead of blocking, and the hub resumes it once
// it is posted, before it serves new work.
func TestFibers(t *testing.T) {
	t.Run("the offered fiber serves the queue NextFor returns", func(t *testing.T) {
		s := newStepper(t)
		hub, c := s.executor(), s.thread()
		f, p := s.fiber(hub), s.proc()
		q := s.reserve(c, false, p)[0]
		require.Equal(t, q, s.nextFor(hub, f))
		// The core checks who serves: the fiber may park the queue, the hub may not.
		_, err := s.rt.Park(hub, q, false, 0)
		require.Error(t, err)
		assert.Equal(t, int64(0), s.park(f, q, false), "a fiber with nothing left goes back to its hub")
		assert.Equal(t, procParked, s.state(p))
	})

	t.Run("an idle hub hands the processor it is assigned to its fiber", func(t *testing.T) {
		s := newStepper(t)
		hub, c := s.executor(), s.thread()
		f, p := s.fiber(hub), s.proc()
		next := async(func() result { return res(s.rt.NextFor(hub, f)) })
		eventually(t, "the hub to go idle", func() bool { return s.rt.Stats().Idle == 1 })
		q := s.reserve(c, false, p)[0]
		got := receive(t, next, "NextFor")
		require.NoError(t, got.err)
		require.Equal(t, q, got.q)
		assert.Equal(t, int64(0), s.park(f, q, false))
	})

	t.Run("a fiber that waits is suspended and resumed by its hub once posted", func(t *testing.T) {
		s := newStepper(t)
		hub, c := s.executor(), s.thread()
		f, p, other := s.fiber(hub), s.proc(), s.proc()
		q := s.reserve(c, false, p)[0]
		require.Equal(t, q, s.nextFor(hub, f))
		// The body, as client p, waits for another handler to reach its queue.
		wq := s.reserve(p, false, other)[0]
		require.Equal(t, Suspended, s.suspendFor(f, wq, p), "a fiber never blocks")
		f2 := s.fiber(hub)
		resumed := async(func() result { return res(s.rt.NextFor(hub, f2)) })
		// other's queue is ready: the hub serves it in its new fiber.
		got := receive(t, resumed, "NextFor")
		require.Equal(t, wq, got.q)
		// Reaching the sync point, other's handler posts the waiting fiber.
		assert.Equal(t, int64(0), res(s.rt.Park(f2, wq, false, f)).q)
		assert.Equal(t, Resume-f, s.nextFor(hub, f2), "the hub resumes the posted fiber")
		// It resumes with its wait over: it no longer counts as blocked.
		assert.Nil(t, s.rt.threads[f].blockedOn)
	})

	t.Run("a post before the fiber suspends is not lost", func(t *testing.T) {
		s := newStepper(t)
		hub := s.executor()
		f := s.fiber(hub)
		s.rt.Signal(f)
		v, err := s.rt.Suspend(f, -1)
		require.NoError(t, err)
		assert.Equal(t, int64(1), v, "the pending post is taken")
		v, err = s.rt.Suspend(f, -1)
		require.NoError(t, err)
		assert.Equal(t, int64(0), v, "no post left: suspended")
	})

	t.Run("a suspended fiber wakes its idle hub", func(t *testing.T) {
		s := newStepper(t)
		hub := s.executor()
		f, f2 := s.fiber(hub), s.fiber(hub)
		v, _ := s.rt.Suspend(f, -1)
		require.Equal(t, int64(0), v)
		next := async(func() result { return res(s.rt.NextFor(hub, f2)) })
		eventually(t, "the hub to go idle", func() bool { return s.rt.Stats().Idle == 1 })
		s.rt.Signal(f)
		assert.Equal(t, Resume-f, receive(t, next, "NextFor").q)
	})

	t.Run("a suspended fiber with a timeout is resumed when it passes", func(t *testing.T) {
		s := newStepper(t)
		hub := s.executor()
		f, f2 := s.fiber(hub), s.fiber(hub)
		v, _ := s.rt.Suspend(f, time.Millisecond)
		require.Equal(t, int64(0), v)
		assert.Equal(t, Resume-f, s.nextFor(hub, f2))
	})

	t.Run("a fiber's waits never count against the pool", func(t *testing.T) {
		s := newStepper(t)
		hub, c := s.executor(), s.thread()
		f, p, other := s.fiber(hub), s.proc(), s.proc()
		q := s.reserve(c, false, p)[0]
		require.Equal(t, q, s.nextFor(hub, f))
		running := s.rt.Stats().Running
		wq := s.reserve(p, false, other)[0]
		require.Equal(t, Suspended, s.suspendFor(f, wq, p))
		assert.Equal(t, running, s.rt.Stats().Running, "the hub is still the one executor running")
		s.rt.mu.Lock()
		defer s.rt.mu.Unlock()
		assert.Zero(t, s.rt.spawnRequests, "no executor is asked for a waiting fiber")
	})

	t.Run("a hub whose fibers hold call bodies does not retire", func(t *testing.T) {
		rt := New(Options{StallAfter: time.Hour, IdleRetire: time.Millisecond})
		t.Cleanup(rt.Shutdown)
		hubs := []int64{rt.NewThread(), rt.NewThread()}
		for _, h := range hubs {
			require.NoError(t, rt.BecomeExecutor(h))
		}
		f, _ := rt.NewFiber(hubs[0])
		v, _ := rt.Suspend(f, -1)
		require.Equal(t, int64(0), v)
		f2, _ := rt.NewFiber(hubs[0])
		next := async(func() result { return res(rt.NextFor(hubs[0], f2)) })
		// Idle far longer than IdleRetire, with another executor in the pool.
		blocked(t, next, "NextFor of a hub holding a suspended fiber")
		rt.Signal(f)
		assert.Equal(t, Resume-f, receive(t, next, "NextFor").q)
	})

	t.Run("bad fiber arguments are errors", func(t *testing.T) {
		s := newStepper(t)
		hub, c := s.executor(), s.thread()
		f := s.fiber(hub)
		_, err := s.rt.NewFiber(f)
		assert.Error(t, err, "a fiber cannot be a hub")
		_, err = s.rt.Suspend(c, -1)
		assert.Error(t, err, "only a fiber suspends")
		_, err = s.rt.Wait(f, 0)
		assert.Error(t, err, "a fiber never blocks in Wait")
		other := s.executor()
		_, err = s.rt.NextFor(other, f)
		assert.Error(t, err, "a hub offers only its own fibers")
	})
}

// Each runtime takes its ids from a range of its own: a thread left over from
// a runtime that was shut down never names one of the next runtime's.
func TestRuntimesDoNotShareIDs(t *testing.T) {
	a := New(Options{StallAfter: time.Hour})
	ta := a.NewThread()
	a.Shutdown()
	b := New(Options{StallAfter: time.Hour})
	t.Cleanup(b.Shutdown)
	tb := b.NewThread()
	assert.NotEqual(t, ta, tb)
	_, err := b.thread(ta)
	assert.Error(t, err, "the old runtime's thread is unknown to the new one")
}

// Two threads each run a body of one processor client-side (each holds the
// turn of an implicit queue at its head, parked), and each body waits for
// the other processor: a cycle, although neither processor is "running". It
// used to be missed, because an implicit head with reservations behind it
// looked as if its handler would close it.
func TestDeadlockThroughBodiesRunClientSide(t *testing.T) {
	s := newStepper(t)
	t1, t2 := s.thread(), s.thread()
	p1, p2 := s.proc(), s.proc()
	granted, err := s.rt.Grant(t1, p1, 9001, true) // t1 runs a query body of p1
	require.NoError(t, err)
	require.True(t, granted)
	granted, err = s.rt.Grant(t2, p2, 9002, true) // t2 runs a query body of p2
	require.NoError(t, err)
	require.True(t, granted)
	q12 := s.reserve(p1, true, p2)[0] // p1's body, on t1, calls p2
	q21 := s.reserve(p2, true, p1)[0] // p2's body, on t2, calls p1
	first := async(func() result { return res(s.rt.WaitFor(t1, q12, []int64{t1, p1}, failAfter)) })
	eventually(t, "t1 to wait", func() bool { return s.rt.Stats().Waiting == 1 })
	v, err := s.rt.WaitFor(t2, q21, []int64{t2, p2}, failAfter)
	require.NoError(t, err)
	assert.Equal(t, Deadlock, v)
	s.rt.Signal(t1)
	receive(t, first, "WaitFor of t1")
}
