package core

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// grant reserves p for client, granted parked if p is idle (Grant).
func (s *stepper) grant(client, p int64) (int64, bool) {
	s.lastQ++
	q := 1000 + s.lastQ
	granted, err := s.rt.Grant(client, p, q, false)
	require.NoError(s.t, err)
	return q, granted
}

// ReleaseParked: a client whose handler is parked on its queue ends the
// reservation itself and gets the next reservation to hand the turn to.
func TestReleaseParked(t *testing.T) {
	tests := []struct {
		name string
		// setup returns the queue to release and the queue expected back
		// (0: none), after arranging the handler's queues.
		setup     func(s *stepper, p int64) (release, want int64)
		wantState procState
	}{
		{
			name: "last reservation: the handler goes idle",
			setup: func(s *stepper, p int64) (int64, int64) {
				q, granted := s.grant(s.thread(), p)
				require.True(s.t, granted)
				return q, 0
			},
			wantState: procIdle,
		},
		{
			name: "the next reservation is granted parked",
			setup: func(s *stepper, p int64) (int64, int64) {
				q1, _ := s.grant(s.thread(), p)
				q2 := s.reserve(s.thread(), false, p)[0]
				return q1, q2
			},
			wantState: procParked,
		},
		{
			name: "a next reservation that waits for its other handler is not handed on",
			setup: func(s *stepper, p int64) (int64, int64) {
				other := s.proc()
				s.reserve(s.thread(), false, other) // holds other
				q1, _ := s.grant(s.thread(), p)
				s.reserve(s.thread(), false, p, other)
				return q1, 0
			},
			wantState: procWaiting,
		},
		{
			name: "an implicit next reservation with more behind is left to an executor",
			setup: func(s *stepper, p int64) (int64, int64) {
				q1, _ := s.grant(s.thread(), p)
				s.reserve(s.thread(), true, p)
				s.reserve(s.thread(), false, p)
				return q1, 0
			},
			wantState: procReady,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStepper(t)
			p := s.proc()
			q, want := tt.setup(s, p)
			assert.Equal(t, want, s.rt.ReleaseParked(q))
			assert.Equal(t, tt.wantState, s.state(p))
			assert.Equal(t, NotParked, s.rt.ReleaseParked(q), "a released queue is gone")
		})
	}

	t.Run("a handler an executor serves is not released", func(t *testing.T) {
		s := newStepper(t)
		e, p := s.executor(), s.proc()
		q := s.reserve(s.thread(), false, p)[0]
		require.Equal(t, q, s.next(e))
		assert.Equal(t, NotParked, s.rt.ReleaseParked(q))
		assert.Equal(t, procRunning, s.state(p))
	})
}

// Help: a thread about to wait for its queue runs the handler itself when no
// executor runs it yet, and goes back to its wait when it leaves it.
func TestHelp(t *testing.T) {
	t.Run("takes a processor from the run queue", func(t *testing.T) {
		s := newStepper(t)
		busy, c1, c2 := s.executor(), s.thread(), s.thread()
		other, p := s.proc(), s.proc()
		require.Equal(t, s.reserve(c1, false, other)[0], s.next(busy)) // the one executor is busy
		q1 := s.reserve(c1, false, p)[0]
		q2 := s.reserve(c2, false, p)[0]
		require.Equal(t, procReady, s.state(p))

		require.Equal(t, q1, s.rt.Help(c2, q2), "c2 serves the queue before its own")
		assert.Equal(t, procRunning, s.state(p))
		assert.Equal(t, int64(0), s.rt.Help(c1, q1), "one thread runs a processor at a time")
		assert.Equal(t, q2, s.release(c2, q1), "a helper goes on with the same handler")
		assert.Equal(t, int64(0), s.park(c2, q2, false), "then goes back to its wait")
		assert.Equal(t, procParked, s.state(p))
		assert.Equal(t, 0, s.rt.Stats().Ready)
	})

	t.Run("takes a processor over from an executor that has not woken up", func(t *testing.T) {
		s := newStepper(t)
		e, c := s.executor(), s.thread()
		p := s.proc()
		// e as Next leaves it just before it sleeps: idle.
		s.rt.mu.Lock()
		th := s.rt.threads[e]
		th.exec = execIdle
		s.rt.running--
		s.rt.idle = append(s.rt.idle, th)
		s.rt.mu.Unlock()
		q := s.reserve(c, false, p)[0]
		require.Same(t, s.rt.procs[p], th.assigned, "the reservation went to the idle executor")

		assert.Equal(t, q, s.rt.Help(c, q), "taken before the executor woke up")
		assert.Nil(t, th.assigned)
		assert.Equal(t, int64(0), s.release(c, q))
		assert.Equal(t, procIdle, s.state(p))

		// The executor wakes to find nothing, and waits for new work.
		next := async(func() result { return res(s.rt.Next(e)) })
		blocked(t, next, "an executor whose processor was taken")
		q2 := s.reserve(c, false, p)[0]
		got := receive(t, next, "Next after new work")
		require.NoError(t, got.err)
		assert.Equal(t, q2, got.q)
	})

	t.Run("serves its own parked queue", func(t *testing.T) {
		s := newStepper(t)
		c, p := s.thread(), s.proc()
		q, granted := s.grant(c, p)
		require.True(t, granted)
		assert.Equal(t, q, s.rt.Help(c, q), "calls logged on a parked handler run here")
		assert.Equal(t, int64(0), s.park(c, q, false))
		assert.Equal(t, procParked, s.state(p))
	})

	t.Run("leaves a running processor alone", func(t *testing.T) {
		s := newStepper(t)
		e, c1, c2 := s.executor(), s.thread(), s.thread()
		p := s.proc()
		q1 := s.reserve(c1, false, p)[0]
		require.Equal(t, q1, s.next(e))
		q2 := s.reserve(c2, false, p)[0]
		assert.Equal(t, int64(0), s.rt.Help(c2, q2))
		assert.Equal(t, procRunning, s.state(p))
	})
}

// A call run as a helper may wait for another handler and help it in turn,
// innermost first, up to MaxHelpDepth handlers deep.
func TestHelpNests(t *testing.T) {
	s := newStepper(t)
	busy, c := s.executor(), s.thread()
	other := s.proc()
	require.Equal(t, s.reserve(c, false, other)[0], s.next(busy)) // the executor is busy
	procs := make([]int64, MaxHelpDepth+1)
	queues := make([]int64, len(procs))
	for i := range procs {
		procs[i] = s.proc()
		queues[i] = s.reserve(c, false, procs[i])[0]
		require.Equal(t, procReady, s.state(procs[i]))
	}
	for i := 0; i < MaxHelpDepth; i++ {
		require.Equal(t, queues[i], s.rt.Help(c, queues[i]), "level %d", i)
	}
	assert.Equal(t, int64(0), s.rt.Help(c, queues[MaxHelpDepth]), "no deeper than MaxHelpDepth")
	assert.Equal(t, procReady, s.state(procs[MaxHelpDepth]))
	// Leaving the handlers innermost first, the thread goes back to each wait.
	for i := MaxHelpDepth - 1; i >= 0; i-- {
		assert.Equal(t, int64(0), s.park(c, queues[i], false), "level %d", i)
		assert.Equal(t, procParked, s.state(procs[i]))
	}
	assert.Equal(t, queues[MaxHelpDepth], s.rt.Help(c, queues[MaxHelpDepth]), "room again")
}

// A thread that helps counts as an active executor while it does: the calls
// it makes wake no idle executor (it will run them itself when it waits for
// them), until it leaves the handler or blocks.
func TestHelperCountsAsActive(t *testing.T) {
	s := newStepper(t)
	e, c := s.executor(), s.thread()
	other, p1, p2 := s.proc(), s.proc(), s.proc()
	qo := s.reserve(c, false, other)[0]
	require.Equal(t, qo, s.next(e)) // the one executor is busy
	q1 := s.reserve(c, false, p1)[0]
	require.Equal(t, q1, s.rt.Help(c, q1))
	assert.Equal(t, 2, s.rt.Stats().Running, "the executor and the helper")

	// The executor finishes and goes idle; the helper is still active.
	next := async(func() result { return res(s.rt.Release(e, qo)) })
	eventually(t, "the executor to go idle", func() bool { return s.rt.Stats().Idle == 1 })
	assert.Equal(t, 1, s.rt.Stats().Running)

	q2 := s.reserve(c, false, p2)[0] // a call made while helping
	assert.Equal(t, procReady, s.state(p2), "no idle executor woken for it")
	blocked(t, next, "the idle executor")

	assert.Equal(t, int64(0), s.park(c, q1, false), "the helper leaves")
	got := receive(t, next, "the idle executor, once the helper left")
	require.NoError(t, got.err)
	assert.Equal(t, q2, got.q)
	assert.Equal(t, 1, s.rt.Stats().Running)
}
