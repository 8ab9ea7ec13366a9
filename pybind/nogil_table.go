package pybind

/*
#include <stdint.h>
extern long long scoop_reserve1(long long, long long, long long, int, int);
extern void scoop_wake(long long);
extern int scoop_contended(long long);
extern void scoop_notify(long long, long long);
extern long long scoop_new_processor(void);
extern long long scoop_drop_processor(long long);
extern long long scoop_release_parked(long long);
extern void scoop_signal(long long);
extern long long scoop_help(long long, long long);
extern void scoop_collecting(int);
extern long long scoop_reserve_group(long long, char*, char*, int);
extern long long scoop_suspend(long long, long long);
extern long long scoop_suspend_for(long long, long long, char*);
extern long long scoop_try_next_for(long long, long long);
extern long long scoop_park_now(long long, long long, int, long long);
extern long long scoop_release_now(long long, long long);
extern long long scoop_yield(long long);
extern long long scoop_watch(long long, long long, char*);
extern int scoop_unwatch(long long);
extern int scoop_notified(long long);
static uintptr_t scoop_addr_reserve1(void) { return (uintptr_t)scoop_reserve1; }
static uintptr_t scoop_addr_wake(void) { return (uintptr_t)scoop_wake; }
static uintptr_t scoop_addr_contended(void) { return (uintptr_t)scoop_contended; }
static uintptr_t scoop_addr_notify(void) { return (uintptr_t)scoop_notify; }
static uintptr_t scoop_addr_new_processor(void) { return (uintptr_t)scoop_new_processor; }
static uintptr_t scoop_addr_drop_processor(void) { return (uintptr_t)scoop_drop_processor; }
static uintptr_t scoop_addr_release_parked(void) { return (uintptr_t)scoop_release_parked; }
static uintptr_t scoop_addr_signal(void) { return (uintptr_t)scoop_signal; }
static uintptr_t scoop_addr_help(void) { return (uintptr_t)scoop_help; }
static uintptr_t scoop_addr_collecting(void) { return (uintptr_t)scoop_collecting; }
static uintptr_t scoop_addr_reserve_group(void) { return (uintptr_t)scoop_reserve_group; }
static uintptr_t scoop_addr_suspend(void) { return (uintptr_t)scoop_suspend; }
static uintptr_t scoop_addr_suspend_for(void) { return (uintptr_t)scoop_suspend_for; }
static uintptr_t scoop_addr_try_next_for(void) { return (uintptr_t)scoop_try_next_for; }
static uintptr_t scoop_addr_park_now(void) { return (uintptr_t)scoop_park_now; }
static uintptr_t scoop_addr_release_now(void) { return (uintptr_t)scoop_release_now; }
static uintptr_t scoop_addr_yield(void) { return (uintptr_t)scoop_yield; }
static uintptr_t scoop_addr_watch(void) { return (uintptr_t)scoop_watch; }
static uintptr_t scoop_addr_unwatch(void) { return (uintptr_t)scoop_unwatch; }
static uintptr_t scoop_addr_notified(void) { return (uintptr_t)scoop_notified; }
*/
import "C"

import "fmt"

// NoGILTable returns the addresses of the functions of nogil.go, as
// "name=address" pairs. gopy links the extension with a version script
// that hides every symbol but its own, so Python cannot look them up by
// name; it wraps these addresses with ctypes.PYFUNCTYPE, which keeps the
// GIL during the call.
func NoGILTable() string {
	return fmt.Sprintf("reserve1=%d,wake=%d,contended=%d,notify=%d,new_processor=%d,drop_processor=%d,"+
		"release_parked=%d,signal=%d,help=%d,collecting=%d,reserve_group=%d,suspend=%d,suspend_for=%d,"+
		"try_next_for=%d,park_now=%d,release_now=%d,yield=%d,watch=%d,unwatch=%d,notified=%d",
		uint64(C.scoop_addr_reserve1()), uint64(C.scoop_addr_wake()),
		uint64(C.scoop_addr_contended()), uint64(C.scoop_addr_notify()),
		uint64(C.scoop_addr_new_processor()), uint64(C.scoop_addr_drop_processor()),
		uint64(C.scoop_addr_release_parked()), uint64(C.scoop_addr_signal()), uint64(C.scoop_addr_help()),
		uint64(C.scoop_addr_collecting()), uint64(C.scoop_addr_reserve_group()),
		uint64(C.scoop_addr_suspend()), uint64(C.scoop_addr_suspend_for()),
		uint64(C.scoop_addr_try_next_for()), uint64(C.scoop_addr_park_now()), uint64(C.scoop_addr_release_now()),
		uint64(C.scoop_addr_yield()), uint64(C.scoop_addr_watch()), uint64(C.scoop_addr_unwatch()),
		uint64(C.scoop_addr_notified()))
}
