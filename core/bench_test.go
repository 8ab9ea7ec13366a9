package core

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// One Reserve and one Release of a processor, one goroutine: the core's
// own cost for a reservation. The next reservation is queued before the
// current one is released, so Release hands it over without blocking.
func BenchmarkReserveRelease(b *testing.B) {
	rt := New(Options{StallAfter: time.Hour})
	e, c := rt.NewThread(), rt.NewThread()
	if err := rt.BecomeExecutor(e); err != nil {
		b.Fatal(err)
	}
	p, _ := rt.NewProcessor()
	handlers, ids := []int64{p}, []int64{1}
	if err := rt.Reserve(c, handlers, ids, false); err != nil {
		b.Fatal(err)
	}
	q, _ := rt.Next(e)
	for b.Loop() {
		ids[0]++
		if err := rt.Reserve(c, handlers, ids, false); err != nil {
			b.Fatal(err)
		}
		q, _ = rt.Release(e, q)
	}
	rt.Shutdown()
	rt.Release(e, q)
}

// Park and Wake. "pending": the client's Wake comes while the handler
// runs, so Park returns at once, on one goroutine (the core's cost).
// "handoff": the handler parks, its executor blocks, and the client (told
// by Park's notify) wakes it: two semaphore hand-offs between threads
// locked to OS threads per op, like a query's round trip.
func BenchmarkWakePark(b *testing.B) {
	setup := func(b *testing.B) (rt *Runtime, e, c, q int64) {
		rt = New(Options{StallAfter: time.Hour})
		e, c = rt.NewThread(), rt.NewThread()
		if err := rt.BecomeExecutor(e); err != nil {
			b.Fatal(err)
		}
		p, _ := rt.NewProcessor()
		if err := rt.Reserve(c, []int64{p}, []int64{1}, false); err != nil {
			b.Fatal(err)
		}
		q, _ = rt.Next(e)
		return rt, e, c, q
	}

	b.Run("pending", func(b *testing.B) {
		rt, e, _, q := setup(b)
		defer rt.Shutdown()
		for b.Loop() {
			rt.Wake(q)
			if got, _ := rt.Park(e, q, true, 0); got != q {
				b.Fatalf("Park returned %d", got)
			}
		}
	})

	b.Run("handoff", func(b *testing.B) {
		rt, e, c, q := setup(b)
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for q != 0 {
				q, _ = rt.Park(e, q, false, c)
			}
		}()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for b.Loop() {
			for ok, _ := rt.Wait(c, -1); !ok; ok, _ = rt.Wait(c, -1) {
			}
			rt.Wake(1)
		}
		b.StopTimer()
		rt.Shutdown()
		<-done
	})
}

// A round trip between two goroutines locked to OS threads (as Python
// threads that called into Go are): through two POSIX semaphores, as the
// core does, and through two channels, for comparison (GOPY-FACTS: ~9 µs
// against 16–110 µs measured from Python).
func BenchmarkHandoff(b *testing.B) {
	b.Run("semaphore", func(b *testing.B) {
		ping, pong := newSemaphore(), newSemaphore()
		var stop atomic.Bool
		done := make(chan struct{})
		go func() {
			defer close(done)
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for {
				for !ping.wait(-1) { // EINTR
				}
				if stop.Load() {
					return
				}
				pong.post()
			}
		}()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for b.Loop() {
			ping.post()
			for !pong.wait(-1) {
			}
		}
		stop.Store(true)
		ping.post()
		<-done
	})

	b.Run("channel", func(b *testing.B) {
		ping, pong := make(chan struct{}), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			for range ping {
				pong <- struct{}{}
			}
		}()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		for b.Loop() {
			ping <- struct{}{}
			<-pong
		}
		close(ping)
	})
}
