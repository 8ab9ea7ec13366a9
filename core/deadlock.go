package core

import (
	"strconv"
	"strings"
	"time"
)

// Deadlock detection (SPEC §6). A blocked client waits on exactly one thing:
// its handler reaching one private queue. So the wait-for graph has
// out-degree one, and a cycle can only be closed by the thread that blocks
// last. Before a thread blocks, WaitFor follows the chain from the queue it
// waits on — who holds that queue's handler, and what that one waits on —
// and if the chain comes back to the thread, the wait would never end.
//
// "Who holds the handler" (holder) is answered conservatively: whenever the
// handler can progress by itself (it is ready, it is parked on the waited
// queue and so has answered, its head is an implicit queue that it will
// close for the next reservation) the chain ends and nothing is reported.
// The chain also ends at any client that is not blocked in WaitFor. So a
// cycle is reported only when every member is blocked in WaitFor on a queue
// that the next member's reservation or running body stands in front of:
// no false positives.

// maxGroupChase bounds how many request groups holder follows in a row.
const maxGroupChase = 8

// Deadlock is what WaitFor returns instead of blocking when the wait would
// close a cycle.
const Deadlock int64 = -3

// WaitFor blocks thread t, as Wait does, while t waits for the handler of
// private queue q, on behalf of clients (t's own client id and the ids of
// the processors whose bodies t is running). It returns 1 when t was
// posted, 0 on timeout or signal, and Deadlock — without blocking — when the
// wait would close a cycle; DeadlockCycle then names the threads in it.
func (rt *Runtime) WaitFor(t, q int64, clients []int64, timeout time.Duration) (int64, error) {
	rt.mu.Lock()
	th, err := rt.thread(t)
	if err != nil {
		rt.mu.Unlock()
		return 0, err
	}
	pq := rt.queues[q]
	if pq != nil {
		th.blockedOn = pq
		th.blocking = clients
		for _, c := range clients {
			rt.blocked[c] = th
		}
		if cycle := rt.findCycle(th); cycle != nil {
			rt.unblock(th)
			th.cycle = cycle
			rt.mu.Unlock()
			return Deadlock, nil
		}
	}
	rt.mu.Unlock()
	if f := th.fiber; f != nil {
		// A fiber suspends instead of blocking: it stays registered as
		// waiting until its hub resumes it (NextFor unblocks it).
		if !f.suspend(th, -1) {
			return Suspended, nil
		}
		rt.mu.Lock()
		rt.unblock(th)
		rt.mu.Unlock()
		return 1, nil
	}
	posted, err := rt.Wait(t, timeout)
	rt.mu.Lock()
	rt.unblock(th)
	rt.mu.Unlock()
	if posted {
		return 1, err
	}
	return 0, err
}

// DeadlockCycle returns the ids of the threads in the cycle that thread t's
// last WaitFor found, comma-separated, starting with t.
func (rt *Runtime) DeadlockCycle(t int64) string {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th := rt.threads[t]
	if th == nil {
		return ""
	}
	ids := make([]string, len(th.cycle))
	for i, x := range th.cycle {
		ids[i] = strconv.FormatInt(x, 10)
	}
	return strings.Join(ids, ",")
}

func (rt *Runtime) unblock(th *thread) {
	for _, c := range th.blocking {
		if rt.blocked[c] == th {
			delete(rt.blocked, c)
		}
	}
	th.blockedOn = nil
	th.blocking = nil
}

// findCycle follows the wait-for chain from start; it returns the thread
// ids of the cycle through start, or nil.
func (rt *Runtime) findCycle(start *thread) []int64 {
	path := []int64{start.id}
	seen := map[*thread]bool{start: true}
	q := start.blockedOn
	for q != nil {
		holder := rt.holder(q, 0)
		if holder == 0 {
			return nil
		}
		th := rt.blocked[holder]
		switch {
		case th == nil:
			return nil
		case th == start:
			return path
		case seen[th]:
			return nil // a cycle that start is not part of: its last member reports it
		}
		seen[th] = true
		path = append(path, th.id)
		q = th.blockedOn
	}
	return nil
}

// holder returns the id of the client that q's handler waits for before it
// can serve q, or 0 when it can progress without any client acting.
func (rt *Runtime) holder(q *privateQueue, depth int) int64 {
	p := q.handler
	if rt.queues[q.id] != q || depth > maxGroupChase {
		return 0
	}
	h := p.head()
	if rt.blocked[p.id] != nil {
		// A thread running one of p's bodies (client-side, as p's head
		// client holding the turn, or as a helper) is blocked: p cannot go
		// on until that thread does, whatever its state says.
		return p.id
	}
	switch p.state {
	case procRunning:
		// Its executor is in a body (of q's calls or of the head's): p
		// progresses unless that body is blocked, as client p.
		return p.id
	case procParked:
		if h == q || (h.implicit && p.contended()) {
			return 0
		}
		return h.client // parked for the head's client: it holds p
	case procWaiting:
		// The head's request group waits to reach the head of its other
		// handlers; its client has logged its calls and holds nothing
		// back. Follow the first handler where the group is not at the head.
		for _, gq := range h.group.queues {
			if gq.handler.head() != gq {
				return rt.holder(gq, depth+1)
			}
		}
	}
	return 0
}
