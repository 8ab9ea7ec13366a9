package core

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
