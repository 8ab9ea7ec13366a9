package core_test

import (
	"fmt"

	"github.com/pyscoop/pyscoop/core"
)

// The basic cycle, all on one goroutine: clients reserve a processor (and
// log calls on the Python side), an executor is handed their private
// queues one at a time, parks a drained queue, and releases a queue at its
// release marker.
func ExampleRuntime_Reserve() {
	rt := core.New(core.Options{})
	alice, bob, exec := rt.NewThread(), rt.NewThread(), rt.NewThread()
	if err := rt.BecomeExecutor(exec); err != nil {
		panic(err)
	}
	p, _ := rt.NewProcessor()

	// Two reservations queue up on p: its queue of queues. The caller
	// chooses the private queue ids.
	_ = rt.Reserve(alice, []int64{p}, []int64{1}, false)
	_ = rt.Reserve(bob, []int64{p}, []int64{2}, false)

	q, _ := rt.Next(exec)
	fmt.Println("serve", q)
	// ... run alice's calls, up to her release marker ...
	q, _ = rt.Release(exec, q)
	fmt.Println("serve", q) // bob's turn, on the same thread

	// Bob's queue is drained, but he logged again (and woke it) before
	// the executor could park it: Park hands the queue straight back.
	rt.Wake(2)
	q, _ = rt.Park(exec, q, true, 0)
	fmt.Println("serve", q)

	// After Shutdown, an executor that looks for more work exits.
	rt.Shutdown()
	q, _ = rt.Release(exec, q)
	fmt.Println("exit", q == 0)
	// Output:
	// serve 1
	// serve 2
	// serve 2
	// exit true
}
