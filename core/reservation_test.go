package core

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Reservations by several clients of one processor are served one private
// queue at a time, in reservation order, each queue's calls in the order
// they were logged.
func TestQueueOfQueuesOrder(t *testing.T) {
	const clients, calls = 5, 20
	for _, tc := range []struct {
		name      string
		opts      Options
		executors int
		logFirst  bool // log every call before any executor runs
	}{
		{"logged before service", Options{}, 1, true},
		{"logged while served", Options{}, 1, false},
		{"three executors", Options{MaxActive: 2}, 3, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, tc.opts)
			p := h.processors(1)[0]
			startExecutors := func() {
				for range tc.executors {
					h.startExecutor()
				}
			}
			if !tc.logFirst {
				startExecutors()
			}
			queues := make([]int64, clients)
			var wg sync.WaitGroup
			for c := range clients {
				wg.Add(1)
				go func() {
					defer wg.Done()
					q := h.reserve(h.rt.NewThread(), []int64{p}, false)[0]
					queues[c] = q
					for i := range calls {
						h.log(q, call{id: i})
						if !tc.logFirst {
							runtime.Gosched() // let the handler drain and park
						}
					}
					h.end(q)
				}()
			}
			wg.Wait()
			if tc.logFirst {
				startExecutors()
			}
			h.until("every reservation released", func() bool { return h.ends == clients })

			// Queue ids are allocated in reservation order.
			slices.Sort(queues)
			hist := h.history(p)
			require.Len(t, hist, clients*(calls+1))
			for i, q := range queues {
				for j, ev := range hist[i*(calls+1) : (i+1)*(calls+1)] {
					require.Equalf(t, q, ev.queue, "call %d of reservation %d served from another queue", j, i)
					if j < calls {
						require.Equal(t, j, ev.id)
						require.False(t, ev.end)
					} else {
						require.True(t, ev.end)
					}
				}
			}
		})
	}
}

// Many clients reserving random sets of processors at once: every request
// group runs as one block on each of its handlers, all handlers see the
// groups in one global order, a group starts nowhere until it is at the
// head everywhere (checked by the harness as it serves), and everything
// finishes.
func TestMultiReservationAtomicAndOrdered(t *testing.T) {
	const clients, nprocs = 16, 6
	iters := 200
	if testing.Short() {
		iters = 50
	}
	h := newHarness(t, Options{MaxActive: 2, IdleRetire: 50 * time.Millisecond})
	procs := h.processors(nprocs)
	h.startExecutor()
	h.startExecutor()
	h.startSpawner()

	// members[c][i] is the set of processors of client c's i-th group.
	members := make([][][]int64, clients)
	queues := 0
	var wg sync.WaitGroup
	for c := range clients {
		members[c] = make([][]int64, iters)
		for i := range iters {
			rng := rand.New(rand.NewPCG(uint64(c), uint64(i)))
			set := rng.Perm(nprocs)[:2+rng.IntN(3)]
			slices.Sort(set)
			for _, k := range set {
				members[c][i] = append(members[c][i], procs[k])
			}
			queues += len(set)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := h.rt.NewThread()
			rng := rand.New(rand.NewPCG(uint64(c), 0))
			for i, set := range members[c] {
				gid := c*iters + i
				qs := h.reserve(client, set, false)
				for _, q := range qs {
					h.log(q, call{id: gid})
				}
				if rng.IntN(2) == 0 {
					runtime.Gosched() // let some handlers drain and park mid-block
				}
				for _, q := range qs {
					h.log(q, call{id: gid}, call{id: gid, end: true})
				}
			}
		}()
	}

	// The whole run must finish: a deadlock fails the test rather than
	// hanging it.
	done := make(chan struct{})
	go func() {
		wg.Wait()
		<-h.endsReached(queues)
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(3 * failAfter):
		t.Fatalf("not finished after %v: deadlock?\n%s", 3*failAfter, h.dump())
	}

	groupProcs := func(gid int) []int64 { return members[gid/iters][gid%iters] }
	order := make(map[int64][]int) // processor → its groups, in service order
	for _, p := range procs {
		hist := h.history(p)
		require.Zero(t, len(hist)%3, "processor %d", p)
		seen := make(map[int64]bool)
		for i := 0; i < len(hist); i += 3 {
			block := hist[i : i+3]
			gid := block[0].id
			// One whole block: begin, middle, end, all from one queue.
			for j, ev := range block {
				require.Equalf(t, block[0].queue, ev.queue, "processor %d, event %d: blocks interleaved", p, i+j)
				require.Equal(t, gid, ev.id)
				require.Equal(t, j == 2, ev.end)
			}
			require.False(t, seen[block[0].queue], "queue %d served twice", block[0].queue)
			seen[block[0].queue] = true
			require.Contains(t, groupProcs(gid), p)
			order[p] = append(order[p], gid)
		}
	}

	// Global order: the groups that two processors share appear in the
	// same order on both.
	served := 0
	for a, pa := range procs {
		served += len(order[pa])
		for _, pb := range procs[a+1:] {
			on := func(p, other int64) []int {
				var gs []int
				for _, g := range order[p] {
					if slices.Contains(groupProcs(g), other) {
						gs = append(gs, g)
					}
				}
				return gs
			}
			require.Equalf(t, on(pa, pb), on(pb, pa), "groups shared by processors %d and %d in different orders", pa, pb)
		}
	}
	require.Equal(t, queues, served)
	t.Logf("%d groups, %d private queues, executors spawned on request: %d", clients*iters, queues, h.spawned.Load())
}

// SPEC §4: a request group starts on none of its handlers until it is at
// the head on all of them. Client A holds one processor; client B's group
// on several, including A's, must not run anywhere until A releases.
func TestGroupStartsOnlyAtHeadEverywhere(t *testing.T) {
	for _, tc := range []struct {
		name  string
		procs int
		group []int // indices of B's processors
		held  int   // index of A's processor
	}{
		{"A holds the lower id", 2, []int{0, 1}, 0},
		{"A holds the higher id", 2, []int{0, 1}, 1},
		{"A holds the middle of three", 3, []int{0, 1, 2}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// The monitor is off: it must not matter for this property.
			h := newHarness(t, Options{MaxActive: 3, StallAfter: time.Hour})
			procs := h.processors(tc.procs)
			for range tc.procs {
				h.startExecutor()
			}
			held := procs[tc.held]

			qa := h.reserve(h.rt.NewThread(), []int64{held}, false)[0]
			h.log(qa, call{id: 1})
			h.until("A's first call", func() bool { return len(h.hist[held]) == 1 })

			var set []int64
			for _, i := range tc.group {
				set = append(set, procs[i])
			}
			qb := h.reserve(h.rt.NewThread(), set, false)
			for i, q := range qb {
				h.log(q, call{id: 10 + i}, call{end: true})
			}

			// A holds its processor (drained and parked, not released):
			// B's other handlers wait, although nobody else uses them.
			time.Sleep(50 * time.Millisecond)
			for _, p := range set {
				if p != held {
					assert.Empty(t, h.history(p), "processor %d served B's queue while A holds processor %d", p, held)
					assert.Equal(t, procWaiting, stateOf(h.rt, p), "processor %d", p)
				}
			}
			assert.Equal(t, procParked, stateOf(h.rt, held))

			h.end(qa)
			h.until("B's group to finish", func() bool { return h.ends == 1+len(set) })
			aEnd := h.history(held)[1]
			require.True(t, aEnd.end)
			for i, p := range set {
				hist := h.history(p)
				if p == held {
					hist = hist[2:]
				}
				require.Len(t, hist, 2)
				assert.Equal(t, qb[i], hist[0].queue)
				assert.Greater(t, hist[0].seq, aEnd.seq, "B started on processor %d before A released processor %d", p, held)
			}
		})
	}
}
