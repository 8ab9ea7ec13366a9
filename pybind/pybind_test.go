package pybind

import (
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/pyscoop/pyscoop/core"
)

// A thread that ends after its runtime was stopped and another started is
// dropped by the runtime that made it: its semaphore goes back, and the old
// runtime is forgotten with its last thread. (Routed to the current runtime,
// which does not know the id, the drop did nothing: one set of semaphores
// leaked per scoop.shutdown().)
func TestDropThreadReachesAStoppedRuntime(t *testing.T) {
	Start(0, 0, 0)
	t.Cleanup(Stop)
	base := core.SemaphoresInUse()

	client, exec, spawner := NewThread(), NewThread(), NewThread()
	require.Zero(t, BecomeExecutor(exec), LastError())
	require.Zero(t, BecomeSpawner(spawner), LastError())
	next := make(chan int64)
	go func() { next <- Next(exec) }()
	for !strings.Contains(Stats(), ",idle=1,") {
		runtime.Gosched() // until the executor waits in Next
	}
	assert.Equal(t, base+3, core.SemaphoresInUse())

	Start(0, 0, 0) // stops the old runtime: its executor returns
	assert.Zero(t, <-next)
	assert.Contains(t, Stats(), "retired=1,retired_threads=3")

	mine := NewThread() // of the new runtime
	for _, th := range []int64{client, exec, spawner, mine} {
		DropThread(th)
	}
	assert.Equal(t, base, core.SemaphoresInUse(), "every thread's semaphore is back")
	assert.Contains(t, Stats(), "threads=0,semaphores=")
	assert.Contains(t, Stats(), "retired=0,retired_threads=0", "the old runtime is forgotten")
}

// A runtime stopped by Stop stays current until the next Start, and its
// threads are dropped there as before.
func TestDropThreadAfterStop(t *testing.T) {
	Start(0, 0, 0)
	base := core.SemaphoresInUse()
	th := NewThread()
	Stop()
	DropThread(th)
	assert.Equal(t, base, core.SemaphoresInUse())
}
