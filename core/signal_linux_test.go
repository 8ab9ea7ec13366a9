package core

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A signal delivered to an idle executor's thread interrupts its semaphore
// wait (sem_clockwait fails with EINTR whatever SA_RESTART says). That is
// not an idle timeout: the executor must not retire. In Python a Ctrl-C
// may land on any thread that does not block SIGINT, executors included.
func TestIdleExecutorSurvivesSignal(t *testing.T) {
	h := newHarness(t, Options{IdleRetire: time.Minute})
	h.startExecutor()
	e := h.rt.NewThread()
	require.NoError(t, h.rt.BecomeExecutor(e))
	tid := make(chan int, 1)
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		tid <- syscall.Gettid()
		h.run(e)
	}()
	thread := <-tid
	eventually(t, "both executors idle", func() bool { return h.rt.Stats().Idle == 2 })

	// SIGURG is Go's preemption signal: its handler ignores a stray one.
	for range 5 {
		time.Sleep(5 * time.Millisecond) // inside the semaphore wait by now
		require.NoError(t, syscall.Tgkill(os.Getpid(), thread, syscall.SIGURG))
	}
	time.Sleep(20 * time.Millisecond)
	assert.Zero(t, h.exited.Load(), "an executor retired on a signal")
	assert.Equal(t, 2, h.rt.Stats().Executors)
}
