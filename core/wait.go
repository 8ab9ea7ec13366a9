package core

import (
	"fmt"
	"strings"
)

// Wait conditions (SPEC §5): a client whose condition is false watches the
// handlers it had reserved, releases them, and sleeps until one of them has
// run calls of some other client — the only thing that can make the
// condition true. The client starts watching *before* it releases: every
// other client's call on those handlers runs after the release, hence after
// the watch, so no notification can be missed.

// A watch is one sleeping client's interest in a set of handlers.
type watch struct {
	waiter   *thread
	client   int64 // calls by this client do not count
	handlers []*processor
	notified bool
}

// Watch registers thread t, acting as client, as waiting for one of handlers
// to run another client's calls. It replaces t's previous watch, if any.
func (rt *Runtime) Watch(t, client int64, handlers []int64) error {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th, err := rt.thread(t)
	if err != nil {
		return err
	}
	rt.unwatch(th)
	w := &watch{waiter: th, client: client}
	for _, h := range handlers {
		p := rt.procs[h]
		if p == nil {
			return fmt.Errorf("scoop core: unknown processor %d", h)
		}
		w.handlers = append(w.handlers, p)
		p.watches = append(p.watches, w)
	}
	th.watch = w
	return nil
}

// Unwatch ends thread t's watch and reports whether it had been notified.
func (rt *Runtime) Unwatch(t int64) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th := rt.threads[t]
	if th == nil || th.watch == nil {
		return false
	}
	notified := th.watch.notified
	rt.unwatch(th)
	return notified
}

// Notified reports whether thread t's watch has been notified.
func (rt *Runtime) Notified(t int64) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	th := rt.threads[t]
	return th != nil && th.watch != nil && th.watch.notified
}

func (rt *Runtime) unwatch(th *thread) {
	w := th.watch
	if w == nil {
		return
	}
	for _, p := range w.handlers {
		for i, x := range p.watches {
			if x == w {
				p.watches = append(p.watches[:i], p.watches[i+1:]...)
				break
			}
		}
	}
	th.watch = nil
}

// Notify tells the core that processor p ran calls of client. Every watch on
// p by another client is notified (once) and its thread woken.
func (rt *Runtime) Notify(p, client int64) {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	pr := rt.procs[p]
	if pr == nil {
		return
	}
	kept := pr.watches[:0]
	for _, w := range pr.watches {
		if w.client == client || w.notified {
			kept = append(kept, w)
			continue
		}
		w.notified = true
		w.waiter.post()
	}
	pr.watches = kept
}

// describeWatches lists the watches of p, for Describe.
func describeWatches(p *processor) string {
	if len(p.watches) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(" watched by")
	for _, w := range p.watches {
		fmt.Fprintf(&b, " %d", w.client)
	}
	return b.String()
}
