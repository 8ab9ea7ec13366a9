// Package core is pyscoop's runtime core: the scheduling state of SCOOP
// processors, kept apart from the Python objects they serve.
//
// A processor is data, not a thread. Each one owns a queue of queues: one
// private queue per reservation that a client made of it, served in turn.
// The core decides which private queue each processor serves, which
// processors are ready to run, and which executor thread runs them; the
// Python side executes the calls themselves. Everything that crosses into
// the core is an integer: processor ids, private-queue ids and thread ids.
//
// The core never calls into Python. A Python thread that must wait (an
// executor with nothing to run, a client waiting for its handler) blocks
// inside the core on its own POSIX semaphore, with the GIL released by the
// binding; whoever makes its condition true posts that semaphore.
//
// All state is guarded by one mutex per Runtime. Critical sections are a
// few map operations long, and the Python side is serialised by the GIL in
// any case, so a finer-grained scheme would add complexity and win nothing
// that could be measured here.
package core
