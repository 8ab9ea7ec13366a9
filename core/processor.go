package core

// procState is where a processor is in its life cycle. Every transition
// happens under Runtime.mu.
type procState uint8

const (
	// procIdle: no reservation is queued; nothing to do.
	procIdle procState = iota
	// procWaiting: the head private queue belongs to a request group that
	// is not yet at the head of all its handlers (SPEC §4: a group starts
	// on none of its handlers until it is at the head on all of them).
	procWaiting
	// procReady: the head can be served; the processor waits in the run
	// queue for an executor.
	procReady
	// procRunning: an executor serves the head private queue.
	procRunning
	// procParked: the head private queue is drained; the processor waits
	// for its client to log more (Wake) or for contention to close an
	// implicit queue. No executor is held.
	procParked
)

var procStateNames = [...]string{"idle", "waiting", "ready", "running", "parked"}

func (s procState) String() string { return procStateNames[s] }

// busy reports whether a processor in state s has work under way or
// pending, as opposed to having nothing to do until a client acts.
func (s procState) busy() bool {
	return s == procWaiting || s == procReady || s == procRunning
}

// A processor is a SCOOP handler: a thread of control, as data. It serves
// the private queues of its queue of queues one at a time, in order.
//
// Invariants (under Runtime.mu):
//   - state is procIdle exactly when queues is empty;
//   - executor is non-nil exactly when state is procRunning;
//   - wakePending is only set while state is procRunning.
type processor struct {
	id int64
	// queues is the queue of queues: queues[0] is the head, the private
	// queue being served; the others wait their turn in reservation order.
	queues      []*privateQueue
	state       procState
	executor    *thread
	wakePending bool // a client logged into the head while it was being served
	// watches are the clients waiting for this processor to run another
	// client's calls (wait conditions, wait.go).
	watches []*watch
}

// head returns the private queue being served, or nil.
func (p *processor) head() *privateQueue {
	if len(p.queues) == 0 {
		return nil
	}
	return p.queues[0]
}

// contended reports whether another reservation waits behind the head.
func (p *processor) contended() bool { return len(p.queues) > 1 }

// headStartable reports whether the head private queue may be served now.
func (p *processor) headStartable() bool {
	h := p.head()
	return h != nil && h.group.complete()
}
