package core

/*
#define _GNU_SOURCE // sem_clockwait
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <time.h>

static sem_t *scoop_sem_new(void) {
	sem_t *s = malloc(sizeof(sem_t));
	if (s != NULL && sem_init(s, 0, 0) != 0) {
		free(s);
		return NULL;
	}
	return s;
}

// scoop_sem_wait waits at most micros microseconds (forever if negative).
// It returns 1 when the semaphore was taken, 0 on timeout or when a signal
// interrupted the wait, so that the caller can run its signal handlers.
static int scoop_sem_wait(sem_t *s, long long micros) {
	if (micros < 0) {
		return sem_wait(s) == 0;
	}
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += micros / 1000000;
	ts.tv_nsec += (micros % 1000000) * 1000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec += 1;
		ts.tv_nsec -= 1000000000;
	}
	return sem_clockwait(s, CLOCK_MONOTONIC, &ts) == 0;
}
*/
import "C"

import (
	"sync"
	"time"
)

// A semaphore is a POSIX counting semaphore in C memory.
//
// The core blocks Python threads on POSIX semaphores rather than on Go
// channels: a thread that entered Go from C is locked to its OS thread, and a
// channel hand-off between two such threads costs 16–110 µs, against ~9 µs
// for a semaphore round trip (see shared/GOPY-FACTS.md). A semaphore may be
// posted from any thread or goroutine.
type semaphore struct {
	s *C.sem_t
}

func newSemaphore() *semaphore {
	s := C.scoop_sem_new()
	if s == nil {
		panic("core: sem_init failed")
	}
	return &semaphore{s: s}
}

// post increments the semaphore, waking one waiter.
func (s *semaphore) post() { C.sem_post(s.s) }

// wait decrements the semaphore, blocking at most timeout (forever if
// timeout is negative). It reports false on timeout or when a signal
// interrupted the wait.
func (s *semaphore) wait(timeout time.Duration) bool {
	micros := int64(-1)
	if timeout >= 0 {
		micros = timeout.Microseconds()
	}
	return C.scoop_sem_wait(s.s, C.longlong(micros)) == 1
}

// semPool recycles the semaphores of dropped threads. They are never freed:
// a wake-up decided under a runtime's lock may be posted just after it, and
// a post to freed memory would corrupt the heap, while a post to a recycled
// semaphore only wakes its new owner early. Every waiter re-checks its
// condition when it wakes, so an early wake-up is harmless.
var semPool struct {
	sync.Mutex
	free  []*semaphore
	inUse int // handed out by getSemaphore and not given back
}

// getSemaphore returns a semaphore for a new thread.
func getSemaphore() *semaphore {
	semPool.Lock()
	defer semPool.Unlock()
	semPool.inUse++
	if n := len(semPool.free); n > 0 {
		s := semPool.free[n-1]
		semPool.free = semPool.free[:n-1]
		return s
	}
	return newSemaphore()
}

// putSemaphore gives a dropped thread's semaphore back to the pool.
func putSemaphore(s *semaphore) {
	semPool.Lock()
	defer semPool.Unlock()
	semPool.inUse--
	semPool.free = append(semPool.free, s)
}

// SemaphoresInUse returns how many semaphores the threads of every runtime
// of the process hold: one per thread registered and not yet dropped. A
// count that grows over runtimes started and stopped is a leak.
func SemaphoresInUse() int {
	semPool.Lock()
	defer semPool.Unlock()
	return semPool.inUse
}
