"""SPEC §11: asyncio. Futures are awaitable, without blocking the loop or holding a thread."""

import asyncio
import concurrent.futures
import threading

import pytest

import scoop
from models import Account, Boom, PassiveAccount
from support import STUCK, held


def _run(coro):
    return asyncio.run(asyncio.wait_for(coro, STUCK))


def _threads_other_than_the_runtimes() -> set:
    # The runtime's executors are shared by every call, and the core may add one at any time;
    # what must not appear is a thread per pending future (an executor pool, a waiter thread).
    return {t for t in threading.enumerate() if not t.name.startswith("scoop-")}


# -- await ref.method.future(...) and scoop.future(ref, "attr")


def test_a_query_future_is_awaitable():
    a = Account("ann", 10)

    async def main():
        return await a.statement.future()

    assert _run(main()) == "ann: 10"


def test_a_future_for_a_call_with_arguments_is_awaitable():
    a = Account("ann")

    async def main():
        return await a.echo.future((1, 2))

    assert _run(main()) == (1, 2)


def test_an_awaited_command_future_completes_after_the_command_ran():
    a = Account("ann", 0)

    async def main():
        assert await a.deposit.future(5) is None
        return a.balance

    assert _run(main()) == 5


def test_scoop_future_reads_an_attribute():
    a = Account("ann", 42)

    async def main():
        return await scoop.future(a, "balance")

    assert _run(main()) == 42


def test_scoop_future_reads_a_property():
    a = Account("ann", -1)

    async def main():
        return await scoop.future(a, "is_overdrawn")

    assert _run(main()) is True


def test_scoop_future_works_from_a_thread_too():
    a = Account("ann", 3)
    f = scoop.future(a, "balance")
    assert isinstance(f, concurrent.futures.Future)
    assert f.result(timeout=STUCK) == 3


def test_scoop_future_of_a_method_names_it_and_the_way_to_call_it():
    a = Account("ann")
    with pytest.raises(TypeError, match=r"Account\.statement is a method.*ref\.statement\.future\(\.\.\.\)"):
        scoop.future(a, "statement")


def test_scoop_future_refuses_a_raw_value():
    with pytest.raises(TypeError, match="takes a separate reference, not int"):
        scoop.future(5, "real")


def test_scoop_future_logs_a_method_call_as_its_future_method_does():
    # The spelling that type checkers without pyscoop's mypy plugin type (pyright).
    a = Account("ann", 1)

    async def main():
        assert await scoop.future(a.deposit, 5) is None
        return await scoop.future(a.statement)

    assert _run(main()) == "ann: 6"
    assert scoop.future(a.echo, value=(1,)).result(timeout=STUCK) == (1,)


def test_scoop_future_refuses_a_method_not_read_through_a_reference():
    class Plain:
        def m(self) -> int:
            return 1

    with pytest.raises(TypeError, match="takes a separate reference, not method"):
        scoop.future(Plain().m)


def test_scoop_future_of_an_attribute_takes_its_name_only():
    with pytest.raises(TypeError, match="one attribute name"):
        scoop.future(Account("ann"), "balance", 1)


def test_scoop_future_of_a_missing_attribute_raises_on_await():
    a = Account("ann")

    async def main():
        await scoop.future(a, "no_such_attribute")

    with pytest.raises(AttributeError, match="no_such_attribute"):
        _run(main())


def test_a_query_exception_is_raised_by_await_with_its_type():
    a = Account("ann")

    async def main():
        await a.explode.future("awaited boom")

    with pytest.raises(Boom, match="awaited boom"):
        _run(main())


def test_a_failed_command_is_observed_by_an_awaited_query():
    a = Account("ann")

    async def main():
        a.fail("earlier")
        await a.statement.future()

    with pytest.raises(scoop.CommandFailed) as info:
        _run(main())
    assert isinstance(info.value.__cause__, Boom)


def test_gather_over_several_processors():
    accounts = [Account(str(i), i) for i in range(10)]

    async def main():
        return await asyncio.gather(*(scoop.future(x, "balance") for x in accounts))

    assert _run(main()) == list(range(10))


def test_a_future_of_a_passive_processor_is_awaitable():
    scoop.configure(placement={"models.PassiveAccount": {"kind": "passive"}})
    a = PassiveAccount("pat", 8)
    assert scoop.processor_of(a).kind == "passive"

    async def main():
        return await a.statement.future()

    assert _run(main()) == "pat: 8"


# -- awaiting never blocks the loop, and holds no thread


def test_many_pending_awaits_leave_the_loop_running_and_hold_no_thread():
    a = Account("ann")
    n = 200
    with held(a) as h:  # the handler is busy: every future below stays pending

        async def main():
            before = _threads_other_than_the_runtimes()
            futures = [a.ping.future() for _ in range(n)] + [scoop.future(a, "balance")]
            waiting = asyncio.gather(*futures)
            ticks = 0
            while ticks < 1000:  # the loop goes on while they are pending
                await asyncio.sleep(0)
                ticks += 1
            assert not any(f.done() for f in futures), "the handler is held: nothing can be done"
            assert _threads_other_than_the_runtimes() == before, "a thread per pending future"
            h.release()
            return await waiting

        results = _run(main())
        assert not h.fired, "awaiting blocked the loop until the watchdog opened the gate"
    assert results == ["pong"] * n + [0]


def test_a_future_still_works_as_a_concurrent_future():
    a = Account("ann", 1)
    f = a.statement.future()
    assert isinstance(f, concurrent.futures.Future)
    done = threading.Event()
    f.add_done_callback(lambda _: done.set())
    assert f.result(timeout=STUCK) == "ann: 1"
    assert done.wait(STUCK)
    g = a.ping.future()
    finished, pending = concurrent.futures.wait([f, g], timeout=STUCK)
    assert finished == {f, g} and not pending
    assert [x.result() for x in concurrent.futures.as_completed([g], timeout=STUCK)] == ["pong"]


def test_asyncio_wrap_future_still_works():
    a = Account("ann", 2)

    async def main():
        return await asyncio.wrap_future(a.statement.future())

    assert _run(main()) == "ann: 2"


def test_cancelling_the_awaiting_task_cancels_a_call_not_started():
    a = Account("ann", 0)
    with held(a) as h:
        deposit = a.deposit.future(5)

        async def main():
            task = asyncio.ensure_future(deposit)
            await asyncio.sleep(0)  # the task now awaits the pending call
            task.cancel()
            with pytest.raises(asyncio.CancelledError):
                await task

        _run(main())
        assert deposit.cancelled()
        h.release()
    assert a.balance == 0, "a cancelled call must not run"


def test_awaiting_in_a_loop_on_another_thread():
    a = Account("ann", 4)
    out = []

    async def read():
        return await a.statement.future()

    def loop_thread():
        out.append(_run(read()))

    t = threading.Thread(target=loop_thread)
    t.start()
    t.join(STUCK)
    assert out == ["ann: 4"]
