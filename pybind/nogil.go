package pybind

import "C"

// The functions below are exported to C directly (cgo), not through gopy:
// Python calls them with ctypes.PyDLL, which keeps the GIL for the call.
// gopy's wrappers release the GIL for every call, and a thread waiting for
// the GIL (a busy executor, say) then takes it: each crossing costs a GIL
// hand-off, 7 µs measured on a reservation, instead of well under one. These
// calls never block (they take the core's mutex for a few map operations,
// and no code that holds that mutex ever waits for the GIL), so holding the
// GIL through them is safe. The blocking calls (Wait, WaitFor, Next, Park,
// Release, WaitSpawn, WaitQuiet) stay with gopy and release the GIL.

//export scoop_reserve1
func scoop_reserve1(client, handler, queue C.longlong, implicit, grant C.int) C.longlong {
	return C.longlong(Reserve1(int64(client), int64(handler), int64(queue), implicit != 0, grant != 0))
}

//export scoop_wake
func scoop_wake(queue C.longlong) { Wake(int64(queue)) }

//export scoop_contended
func scoop_contended(queue C.longlong) C.int {
	if Contended(int64(queue)) {
		return 1
	}
	return 0
}

//export scoop_notify
func scoop_notify(p, client C.longlong) { Notify(int64(p), int64(client)) }

//export scoop_new_processor
func scoop_new_processor() C.longlong { return C.longlong(NewProcessor()) }

//export scoop_drop_processor
func scoop_drop_processor(p C.longlong) C.longlong { return C.longlong(DropProcessor(int64(p))) }

//export scoop_release_parked
func scoop_release_parked(queue C.longlong) C.longlong {
	return C.longlong(ReleaseParked(int64(queue)))
}

//export scoop_signal
func scoop_signal(t C.longlong) { Signal(int64(t)) }

//export scoop_help
func scoop_help(t, queue C.longlong) C.longlong { return C.longlong(Help(int64(t), int64(queue))) }

//export scoop_collecting
func scoop_collecting(on C.int) { Collecting(on != 0) }

//export scoop_reserve_group
func scoop_reserve_group(client C.longlong, handlers, queues *C.char, implicit C.int) C.longlong {
	return C.longlong(ReserveGroup(int64(client), C.GoString(handlers), C.GoString(queues), implicit != 0))
}

//export scoop_suspend
func scoop_suspend(t, timeoutMicros C.longlong) C.longlong {
	return C.longlong(Suspend(int64(t), int64(timeoutMicros)))
}

//export scoop_suspend_for
func scoop_suspend_for(t, queue C.longlong, clients *C.char) C.longlong {
	return C.longlong(SuspendFor(int64(t), int64(queue), C.GoString(clients)))
}

//export scoop_try_next_for
func scoop_try_next_for(t, f C.longlong) C.longlong {
	return C.longlong(TryNextFor(int64(t), int64(f)))
}

//export scoop_park_now
func scoop_park_now(t, queue C.longlong, mayClose C.int, notify C.longlong) C.longlong {
	return C.longlong(ParkNow(int64(t), int64(queue), mayClose != 0, int64(notify)))
}

//export scoop_release_now
func scoop_release_now(t, queue C.longlong) C.longlong {
	return C.longlong(ReleaseNow(int64(t), int64(queue)))
}

//export scoop_yield
func scoop_yield(t C.longlong) C.longlong { return C.longlong(Yield(int64(t))) }

//export scoop_watch
func scoop_watch(t, client C.longlong, handlers *C.char) C.longlong {
	return C.longlong(Watch(int64(t), int64(client), C.GoString(handlers)))
}

//export scoop_unwatch
func scoop_unwatch(t C.longlong) C.int {
	if Unwatch(int64(t)) {
		return 1
	}
	return 0
}

//export scoop_notified
func scoop_notified(t C.longlong) C.int {
	if Notified(int64(t)) {
		return 1
	}
	return 0
}
