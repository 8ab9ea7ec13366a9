package core

// A privateQueue is one client's reservation of one processor: SCOOP/Qs'
// private queue. The calls logged into it live on the Python side (a deque
// with one producer, the client, and one consumer, the handler); the core
// only tracks where the queue stands in its handler's queue of queues.
//
// A private queue is implicit when the client did not reserve the handler
// explicitly: it was opened for calls made outside any reservation (SPEC §2:
// such a call "is a reservation of its own"). Its client may keep logging
// into it while nobody else wants the handler; when another reservation
// queues up behind it, the handler closes it as soon as it is drained, so
// an idle client never holds a handler that others wait for.
type privateQueue struct {
	id       int64
	client   int64
	handler  *processor
	group    *requestGroup // nil when the handler was reserved alone
	implicit bool
}
