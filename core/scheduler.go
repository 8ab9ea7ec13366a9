package core

import (
	"slices"
	"syscall"
	"time"
)

// The scheduler hands ready processors to executor threads.
//
// Under the GIL, only one thread runs Python at a time, and every hand-off of
// the GIL between threads costs 10–100 µs; the fastest schedule is the one
// that hands off least. So by default one executor runs at a time
// (Options.MaxActive): a processor made ready while an executor is busy
// waits in the run queue, and the busy executor runs it next, on the same
// thread, when it finishes its current processor.
//
// Two things add executors beyond that:
//   - an executor whose call body blocks as a client (Wait) stops counting
//     as active, so ready processors get another executor at once;
//   - the monitor (sysmon) sees when every active executor has stayed out of
//     the core for Options.StallAfter while processors wait — a long call
//     body, or one blocked outside pyscoop — and adds one. This is what
//     guarantees that a ready processor always runs eventually.
// Idle executors retire after Options.IdleRetire, down to one.

// makeReady puts p, whose head is startable, in line for an executor.
// Called with rt.mu held.
func (rt *Runtime) makeReady(p *processor) {
	rt.setState(p, procReady)
	if rt.wantExecutor() {
		if e := rt.popIdle(); e != nil {
			rt.assign(e, p)
			return
		}
		rt.runq = append(rt.runq, p)
		rt.requestSpawn()
		return
	}
	rt.runq = append(rt.runq, p)
	rt.kickMonitor()
}

// wantExecutor reports whether fewer executors are active than allowed.
func (rt *Runtime) wantExecutor() bool {
	return rt.running+rt.spawning < rt.opts.MaxActive
}

// assign hands ready processor p to idle executor e and wakes it.
func (rt *Runtime) assign(e *thread, p *processor) {
	rt.run(e, p)
	e.assigned = p
	e.resume.wake()
	e.sem.post()
}

// run makes e the executor of p: e itself, or the fiber that e (a hub) has
// offered to serve its next processor in (NextFor), or, for a fiber e, e.
func (rt *Runtime) run(e *thread, p *processor) {
	os := e.osThread()
	if os.exec != execRunning {
		os.exec = execRunning
		rt.running++
	}
	by := e
	if e.serveIn != nil {
		by = e.serveIn
	}
	by.current = p
	p.executor = by
	rt.setState(p, procRunning)
}

// leave detaches e from the processor it served.
func (rt *Runtime) leave(e *thread, p *processor) {
	if e.helps(p) {
		e.helping = e.helping[:len(e.helping)-1]
		if len(e.helping) == 0 && e.helper {
			rt.setActive(e, false)
			rt.fillExecutors()
		}
	} else {
		e.current = nil
	}
	p.executor = nil
	p.wakePending = false
}

// popRunq takes the processor that has waited longest, or nil.
func (rt *Runtime) popRunq() *processor {
	if len(rt.runq) == 0 {
		return nil
	}
	p := rt.runq[0]
	rt.runq[0] = nil
	rt.runq = rt.runq[1:]
	return p
}

// removeRunq takes p out of the run queue; false if it was not in it.
func (rt *Runtime) removeRunq(p *processor) bool {
	i := slices.Index(rt.runq, p)
	if i < 0 {
		return false
	}
	rt.runq = slices.Delete(rt.runq, i, i+1)
	return true
}

// after returns what thread e does once it has left a processor: an
// executor serves the next one (next); a thread that was helping goes back
// to its wait (0).
func (rt *Runtime) after(e *thread, helped bool, notify *thread) int64 {
	if helped {
		rt.mu.Unlock()
		rt.postUnlocked(notify)
		return 0
	}
	return rt.next(e, notify)
}

// popIdle takes the executor that went idle last (its stack and caches are
// the warmest), or nil.
func (rt *Runtime) popIdle() *thread {
	n := len(rt.idle)
	if n == 0 {
		return nil
	}
	e := rt.idle[n-1]
	rt.idle = rt.idle[:n-1]
	return e
}

// removeIdle takes e out of the idle list, reporting whether it was there.
func (rt *Runtime) removeIdle(e *thread) bool {
	for i, x := range rt.idle {
		if x == e {
			rt.idle = append(rt.idle[:i], rt.idle[i+1:]...)
			return true
		}
	}
	return false
}

// requestSpawn asks the spawner thread for one more executor.
func (rt *Runtime) requestSpawn() {
	if rt.spawner == nil || rt.stopped {
		return
	}
	rt.spawning++
	rt.spawnRequests++
	rt.spawner.sem.post()
}

// fillExecutors gives queued processors to idle or new executors while
// fewer than MaxActive are active.
func (rt *Runtime) fillExecutors() {
	for len(rt.runq) > 0 && rt.wantExecutor() {
		e := rt.popIdle()
		if e == nil {
			rt.requestSpawn()
			return
		}
		rt.assign(e, rt.popRunq())
	}
}

// next finds e its next processor and returns the id of the private queue
// to serve, blocking while there is none. It returns 0 when e must exit
// (shutdown, or retirement after being idle for Options.IdleRetire).
// Called with rt.mu held; returns with it released. It posts notify, if
// not nil, as soon as rt.mu is released (see Park and postUnlocked).
//
// A fiber never blocks: it takes a processor from the run queue if there is
// one and no fiber of its hub waits to be resumed, and otherwise gets 0: it
// goes back to its hub, which looks for work as an executor does (NextFor).
func (rt *Runtime) next(e *thread, notify *thread) int64 {
	return rt.nextOrIdle(e, notify, true)
}

// Idle is what TryNextFor returns to a hub that has nothing to do: it then
// waits in NextFor.
const Idle int64 = -6

// nextOrIdle is next; with mayBlock false, it returns Idle where next
// would block.
func (rt *Runtime) nextOrIdle(e *thread, notify *thread, mayBlock bool) int64 {
	if e.fiber != nil {
		var q int64
		if !rt.stopped && len(rt.runq) > 0 && !e.fiber.hub.resume.hasReady() {
			p := rt.popRunq()
			rt.run(e, p)
			q = p.head().id // under rt.mu: see below
		}
		rt.mu.Unlock()
		rt.postUnlocked(notify)
		return q
	}
	for {
		if rt.stopped {
			rt.retire(e)
			rt.mu.Unlock()
			rt.postUnlocked(notify)
			return 0
		}
		if f := e.resume.popReady(); f != nil {
			rt.unblock(f)
			rt.mu.Unlock()
			rt.postUnlocked(notify)
			return Resume - f.id
		}
		if p := rt.popRunq(); p != nil {
			rt.run(e, p)
			// Read the head before unlocking: a concurrent Reserve may
			// append to (and reallocate) p.queues (a data race, found by
			// the tests under -race).
			q := p.head().id
			rt.mu.Unlock()
			rt.postUnlocked(notify)
			return q
		}
		if f := e.resume.popYielded(); f != nil {
			rt.mu.Unlock()
			rt.postUnlocked(notify)
			return Resume - f.id
		}
		if !mayBlock {
			rt.mu.Unlock()
			rt.postUnlocked(notify)
			return Idle
		}
		if !e.resume.goIdle() {
			continue // a fiber was posted meanwhile
		}
		e.exec = execIdle
		rt.running--
		rt.idle = append(rt.idle, e)
		rt.mu.Unlock()
		rt.postUnlocked(notify)
		notify = nil

		idleSince := rt.now()
		signalled := e.sem.wait(rt.opts.IdleRetire)
		e.resume.wake()
		// A signal delivered to this thread also ends the wait early
		// (EINTR), and that is no idle timeout: only a wait that lasted
		// IdleRetire may retire the executor (found by a test that
		// signals an idle executor's thread).
		timedOut := !signalled && rt.now()-idleSince >= int64(rt.opts.IdleRetire.Truncate(time.Microsecond))

		rt.mu.Lock()
		rt.touch(e)
		if p := e.assigned; p != nil {
			e.assigned = nil
			q := p.head().id // under rt.mu, as above
			rt.mu.Unlock()
			return q
		}
		if rt.removeIdle(e) {
			e.exec = execRunning
			rt.running++
			// A hub whose fibers hold call bodies must stay for them.
			if timedOut && len(rt.executors) > 1 && !e.resume.holdsBodies() {
				rt.retire(e)
				rt.mu.Unlock()
				return 0
			}
		}
	}
}

// retire removes executor e from the pool.
func (rt *Runtime) retire(e *thread) {
	rt.removeIdle(e)
	if e.exec != execIdle {
		rt.running--
	}
	e.exec = execIdle
	e.executor = false
	delete(rt.executors, e.id)
}

// kickMonitor wakes the monitor when processors start waiting in the run
// queue.
func (rt *Runtime) kickMonitor() {
	select {
	case rt.monitorKick <- struct{}{}:
	default:
	}
}

// monitor is the core's sysmon: while processors wait in the run queue, it
// checks every Options.StallAfter/2 whether all active executors are stuck
// in long call bodies, and adds an executor if so. It sleeps on
// monitorKick while the run queue is empty.
func (rt *Runtime) monitor() {
	tick := rt.opts.StallAfter / 2
	for {
		select {
		case <-rt.monitorKick:
		case <-rt.monitorDone:
			return
		}
		cpu := newCPUMeter()
		for {
			time.Sleep(tick)
			busy := cpu.busy()
			rt.mu.Lock()
			if rt.stopped || len(rt.runq) == 0 {
				rt.mu.Unlock()
				break
			}
			if rt.spawning == 0 && rt.allStalled() {
				rt.stalls++
				// Stuck executors that burn no CPU are blocked outside
				// Python (I/O, time.sleep): each ready processor may well
				// block the same way, so give each its own executor at once
				// (up to MaxExecutors), as one blocking call per thread
				// would. Stuck executors that compute (one holds the GIL)
				// get one more executor, so that ready processors progress.
				n := growth(busy, machineSaturated(), len(rt.runq), len(rt.executors), rt.opts.MaxExecutors)
				for range n {
					if len(rt.runq) == 0 {
						break
					}
					if e := rt.popIdle(); e != nil {
						rt.assign(e, rt.popRunq())
					} else {
						rt.requestSpawn()
					}
				}
			}
			rt.mu.Unlock()
		}
	}
}

// growth is how many executors the monitor adds when every active executor
// is stuck: one while the process computes (busy); while it burns no CPU,
// one per ready processor (up to limit executors), as one blocking call per
// thread would. But on a machine that other processes saturate, a process
// that computes gets little CPU too and looks blocked: then the pool grows
// by at most saturatedStep, or doubles, so that a wrong guess costs a few
// threads, not limit of them.
const saturatedStep = 16

func growth(busy, saturated bool, ready, executors, limit int) int {
	n := 1
	if !busy {
		n = min(ready, limit-executors)
		if saturated {
			n = min(n, max(executors, saturatedStep))
		}
	}
	return max(n, 1)
}

// A cpuMeter tells whether this process used the CPU since it last looked:
// the monitor's way to tell executors blocked outside Python (no CPU) from
// executors running Python (one core's worth, under the GIL).
type cpuMeter struct {
	wall time.Time
	cpu  time.Duration
}

func newCPUMeter() *cpuMeter { return &cpuMeter{wall: time.Now(), cpu: processCPU()} }

// busy reports whether the process used at least half a core since the last
// call.
func (m *cpuMeter) busy() bool {
	now, cpu := time.Now(), processCPU()
	used, elapsed := cpu-m.cpu, now.Sub(m.wall)
	m.wall, m.cpu = now, cpu
	return used*2 >= elapsed
}

func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// allStalled reports whether every active thread (an executor, or a thread
// helping) has stayed out of the core for at least Options.StallAfter.
func (rt *Runtime) allStalled() bool {
	if rt.collecting {
		return false
	}
	limit := rt.now() - int64(rt.opts.StallAfter)
	for _, e := range rt.threads {
		if e.active() && e.lastCross > limit {
			return false
		}
	}
	return true
}

// Collecting tells the core that Python's cyclic garbage collector starts
// (true) or ends (false) a full collection. The thread collecting holds the
// GIL throughout, for up to a tenth of a second with 100,000 objects alive;
// an executor waiting for the GIL meanwhile is not stuck in a body, and the
// monitor must not add executors for it (they would only queue up for the
// GIL too). At the end, every executor counts as just seen.
func (rt *Runtime) Collecting(on bool) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	rt.collecting = on
	if !on {
		for _, e := range rt.executors {
			rt.touch(e)
		}
	}
}
