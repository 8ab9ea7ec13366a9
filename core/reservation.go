package core

import (
	"fmt"
	"slices"
)

// A requestGroup is a multi-reservation: the private queues that one client
// opened on several handlers at once (the separate arguments of one call,
// or the references of one `scoop.separate` block). It starts on none of
// its handlers until it is at the head of all of them.
type requestGroup struct {
	queues []*privateQueue
	atHead int // how many of queues are at the head of their handler
}

// complete reports whether every queue of g is at its handler's head. A nil
// group (a single reservation) is always complete.
func (g *requestGroup) complete() bool {
	return g == nil || g.atHead == len(g.queues)
}

// reserve appends one private queue per handler for client, atomically with
// respect to every other reservation: handlers must be sorted by id with no
// duplicates, so every processor sees request groups in one global order
// and two clients reserving the same handlers in different argument orders
// never deadlock (SCOOP/Qs). Called with rt.mu held.
func (rt *Runtime) reserve(client int64, handlers []*processor, ids []int64, implicit bool) {
	var group *requestGroup
	if len(handlers) > 1 {
		group = &requestGroup{queues: make([]*privateQueue, 0, len(handlers))}
	}
	var heads []*privateQueue
	for i, p := range handlers {
		q := &privateQueue{id: ids[i], client: client, handler: p, group: group, implicit: implicit}
		rt.queues[q.id] = q
		if group != nil {
			group.queues = append(group.queues, q)
		}
		p.queues = append(p.queues, q)
		if len(p.queues) == 1 {
			heads = append(heads, q)
		} else {
			// Someone is ahead. An implicit head that is parked must be
			// looked at again, so that its handler closes it (see
			// privateQueue).
			if h := p.head(); h.implicit && p.state == procParked {
				rt.makeReady(p)
			}
		}
	}
	// Only now is the group whole, so only now can it tell whether it is
	// at the head everywhere.
	for _, q := range heads {
		rt.arrivedAtHead(q)
	}
}

// arrivedAtHead records that q became the head of its handler, which was
// idle or has just released its previous head. Called with rt.mu held.
func (rt *Runtime) arrivedAtHead(q *privateQueue) {
	if !rt.othersAtHead(q) {
		rt.setState(q.handler, procWaiting)
		return
	}
	rt.startHead(q.handler)
}

// startHead makes p's startable head servable. A running processor (its
// executor is releasing the previous head) keeps its executor.
func (rt *Runtime) startHead(p *processor) {
	if p.state == procRunning {
		return
	}
	rt.makeReady(p)
}

// grantParked opens queue id for client as the head of idle processor p and
// parks p on it (see Reserve's grant). Called with rt.mu held.
func (rt *Runtime) grantParked(client int64, p *processor, id int64, implicit bool) {
	q := &privateQueue{id: id, client: client, handler: p, implicit: implicit}
	rt.queues[id] = q
	p.queues = append(p.queues, q)
	rt.setState(p, procParked)
}

// popHead ends the reservation at the head of p.
func (rt *Runtime) popHead(p *processor) {
	delete(rt.queues, p.queues[0].id)
	p.queues[0] = nil
	p.queues = p.queues[1:]
	p.wakePending = false
}

// othersAtHead records that h arrived at the head of its handler and
// reports whether h's reservation can start; if so, it starts h's other
// handlers (h's own is left to the caller).
func (rt *Runtime) othersAtHead(h *privateQueue) bool {
	g := h.group
	if g == nil {
		return true
	}
	g.atHead++
	if !g.complete() {
		return false
	}
	for _, gq := range g.queues {
		if gq != h {
			rt.startHead(gq.handler)
		}
	}
	return true
}

// Reserve opens one private queue for client on each of handlers, as one
// atomic multi-reservation: the queue on handlers[i] gets id queues[i].
// handlers must be sorted by increasing id with no duplicates; queue ids are
// chosen by the caller (so that it can register a queue, with its first
// calls already logged, before any executor can be handed it) and must not
// be in use. Reserve never blocks: the client logs calls into its queues at
// once, and they run when the group reaches the head of every handler.
// implicit marks queues opened for calls made outside any reservation (see
// privateQueue).
func (rt *Runtime) Reserve(client int64, handlers, queues []int64, implicit bool) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	procs, err := rt.reservable(handlers, queues)
	if err != nil {
		return err
	}
	rt.touchClient(client)
	rt.reserve(client, procs, queues, implicit)
	return nil
}

// touchClient records that client, if it is a processor running on an
// executor, just entered the core: its call body is busy making calls, not
// stuck, and the monitor must not add executors on its account (which only
// makes threads fight for the GIL).
func (rt *Runtime) touchClient(client int64) {
	if p := rt.procs[client]; p != nil && p.executor != nil {
		rt.touch(p.executor)
	}
}

// Grant reserves one handler as Reserve does, and if the handler is idle it
// grants the queue parked: the queue becomes the head and the handler parks
// on it at once, instead of waiting for an executor to find it empty. The
// client can then run a query itself straight away, with no thread
// hand-off; a call it logs wakes the handler as for any parked queue. Grant
// reports whether it granted so.
func (rt *Runtime) Grant(client, handler, queue int64, implicit bool) (bool, error) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	procs, err := rt.reservable([]int64{handler}, []int64{queue})
	if err != nil {
		return false, err
	}
	rt.touchClient(client)
	if p := procs[0]; p.state == procIdle {
		rt.grantParked(client, p, queue, implicit)
		return true, nil
	}
	rt.reserve(client, procs, []int64{queue}, implicit)
	return false, nil
}

// reservable checks the arguments of Reserve and returns the handlers.
// Called with rt.mu held.
func (rt *Runtime) reservable(handlers, queues []int64) ([]*processor, error) {
	if rt.stopped {
		return nil, ErrStopped
	}
	if len(handlers) == 0 || len(handlers) != len(queues) {
		return nil, fmt.Errorf("scoop core: Reserve needs one queue id per handler, got %v and %v", handlers, queues)
	}
	procs := make([]*processor, len(handlers))
	for i, h := range handlers {
		if i > 0 && h <= handlers[i-1] {
			return nil, fmt.Errorf("scoop core: Reserve handlers not sorted and distinct: %v", handlers)
		}
		p := rt.procs[h]
		if p == nil {
			return nil, fmt.Errorf("scoop core: unknown processor %d", h)
		}
		// A queue id given twice in one call would pass the map lookup
		// (nothing is inserted yet) and leave one of the two queues
		// unreachable by id: its handler could never park or release it.
		if _, used := rt.queues[queues[i]]; used || queues[i] <= 0 || slices.Contains(queues[:i], queues[i]) {
			return nil, fmt.Errorf("scoop core: queue id %d is not free", queues[i])
		}
		procs[i] = p
	}
	return procs, nil
}

// Wake tells the core that the client of private queue q logged into it
// while its handler was parked on it. Stale or early wakes are harmless.
func (rt *Runtime) Wake(q int64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	if pq == nil {
		return
	}
	rt.touchClient(pq.client)
	p := pq.handler
	if p.head() != pq {
		return
	}
	switch p.state {
	case procParked:
		rt.makeReady(p)
	case procRunning:
		p.wakePending = true
	}
}

// NotParked is what ReleaseParked returns when the handler is not parked
// on the queue: an executor serves it or is about to, so the client must log
// the end of its reservation for that executor instead.
const NotParked int64 = -4

// ReleaseParked ends the reservation of private queue q from its client's
// side, with no executor: this is allowed only while q is the handler's head
// and the handler is parked on it, with nothing left to run (the client ran
// its queries itself). That saves waking an executor just to see the end.
//
// When the next reservation can start at once, ReleaseParked grants the
// handler to it parked, like Grant, and returns its queue id: the caller
// hands the turn on (it answers a client waiting at that queue's sync point,
// or wakes the handler if calls are logged there; see Wake). It returns 0
// when there is nothing to hand on (no reservation left, or the next one
// waits for its other handlers, or it is an implicit queue with more
// reservations behind it, which an executor closes), and NotParked when q is
// not parked.
func (rt *Runtime) ReleaseParked(q int64) int64 {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	if pq == nil || pq.handler.head() != pq || pq.handler.state != procParked {
		return NotParked
	}
	p := pq.handler
	rt.touchClient(pq.client)
	rt.popHead(p)
	if len(p.queues) == 0 {
		rt.setState(p, procIdle)
		return 0
	}
	h := p.head()
	if !rt.othersAtHead(h) {
		rt.setState(p, procWaiting)
		return 0
	}
	if h.implicit && p.contended() {
		rt.makeReady(p) // an executor closes it: see Park
		return 0
	}
	rt.setState(p, procParked)
	return h.id
}

// Contended reports whether another reservation waits behind private queue
// q, which is at the head of its handler. A client about to run a query on
// an implicit queue asks first: if someone waits, the query must go behind
// them, as a reservation of its own would (SPEC §2), rather than overtake
// calls that were queued before it.
func (rt *Runtime) Contended(q int64) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pq := rt.queues[q]
	return pq != nil && pq.handler.head() == pq && pq.handler.contended()
}
