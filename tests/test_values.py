"""SPEC §3: values that cross a processor boundary."""

import copy
import threading

import pytest

import scoop
from models import Account, Color, MutablePoint, Point, ThreadSafeBox


# -- separate references pass as they are; a raw Separate object passed out becomes a reference


def test_separate_reference_passes_as_it_is():
    a = Account("ann", 1)
    b = Account("bob", 2)
    a.set_peer(b)
    got = a.peer
    assert scoop.is_separate(got)
    assert got == b
    assert a.peer_balance() == 2  # a uses the reference it received


def test_separate_references_inside_a_container_stay_references():
    a = Account("ann", 0)
    b, c = Account("bob", 2), Account("cy", 3)
    a.set_peers([b, c])
    assert a.peers_total() == 5
    peers = a.peers
    assert peers == [b, c]
    assert all(scoop.is_separate(p) for p in peers)


def test_raw_self_returned_becomes_a_reference_to_itself():
    a = Account("ann", 1)
    me = a.me()
    assert scoop.is_separate(me)
    assert me == a
    assert me.statement() == "ann: 1"


def test_raw_self_inside_a_returned_container_becomes_a_reference():
    a = Account("ann", 1)
    pair = a.me_in_a_list()
    assert pair == [a, a]
    assert all(scoop.is_separate(x) for x in pair)


def test_raw_self_passed_as_argument_becomes_a_reference():
    a = Account("ann", 1)
    b = Account("bob", 2)
    assert a.introduce_to(b) is True  # b received a reference, not the raw object
    got = b.peer
    assert scoop.is_separate(got)
    assert got == a
    assert b.peer_balance() == 1


def test_deepcopy_of_a_reference_is_the_same_reference():
    a = Account("ann", 1)
    assert copy.deepcopy(a) == a
    assert copy.deepcopy([a])[0] == a


# -- immutable values pass as they are


IMMUTABLES = {
    "None": None,
    "bool": True,
    "big int": 12345678901234567890123,
    "float": 1.5e300,
    "complex": 2 + 3j,
    "str": "".join(["separate ", "objects"]),  # built at run time: not an interned constant
    "bytes": bytes(range(10)),
    "range": range(3, 30, 3),
    "enum": Color.GREEN,
    "frozen dataclass": Point(1, 2),
    "tuple": (1, "two", 3.0, (4, None)),
    "frozenset": frozenset({1, 2, 3}),
    "tuple of frozen dataclasses and enums": (Point(3, 4), Color.RED),
}


@pytest.mark.parametrize("value", list(IMMUTABLES.values()), ids=list(IMMUTABLES))
def test_immutable_value_passes_as_it_is(value):
    a = Account("ann")
    back = a.echo(value)
    assert back is value
    a.keep(value)
    assert a.kept is value


def test_frozen_dataclass_keeps_its_identity():
    p = Point(1, 2)
    a = Account("ann")
    a.keep(p)
    assert a.kept is p
    assert a.echo((p, p))[0] is p


# -- everything else is imported: deep-copied, arguments and results alike


def test_list_argument_is_copied():
    a = Account("ann")
    items = [1, 2, 3]
    a.keep(items)
    items.append(4)  # the client changes its own list afterwards
    assert a.kept == [1, 2, 3]


def test_handler_changes_do_not_reach_the_clients_list():
    a = Account("ann")
    items = ["original"]
    a.keep(items)
    a.mutate_kept()
    assert a.kept == ["original", "changed by the handler"]
    assert items == ["original"]


def test_list_returned_by_query_is_a_copy():
    a = Account("ann")
    a.keep([1, 2])
    got = a.kept
    got.append(3)
    assert a.kept == [1, 2]
    assert a.kept is not a.kept


@pytest.mark.parametrize(
    "value",
    [[1, [2]], {"k": [1]}, {1, 2}, bytearray(b"xy"), MutablePoint(1, 2), (1, [2])],
    ids=["list", "dict", "set", "bytearray", "dataclass", "tuple holding a list"],
)
def test_mutable_value_is_copied_both_ways(value):
    a = Account("ann")
    back = a.echo(value)
    assert back == value
    assert back is not value


def test_copy_has_deepcopy_semantics():
    a = Account("ann")
    inner = []
    # Shared structure inside one value is preserved by the copy (deepcopy's memo).
    assert a.shares_inner([inner, inner]) is True
    assert a.shares_inner([[], []]) is False
    nested = {"a": [[1], {"b": (2, [3])}]}
    back = a.echo(nested)
    assert back == nested
    assert back["a"][0] is not nested["a"][0]
    assert back["a"][1]["b"][1] is not nested["a"][1]["b"][1]


def test_keyword_arguments_are_copied_too():
    a = Account("ann")
    items = [1]
    a.keep(value=items)
    items.append(2)
    assert a.kept == [1]


# -- scoop.shared(obj) passes obj as it is


def test_shared_returns_the_object():
    box = ThreadSafeBox()
    assert scoop.shared(box) is box


def test_shared_object_passes_as_it_is():
    a = Account("ann")
    box = ThreadSafeBox()
    a.append_to(scoop.shared(box), "from the handler")
    a.ping()
    assert box.items() == ["from the handler"]
    assert a.echo(scoop.shared(box)) is box


def test_shared_object_is_returned_as_it_is():
    a = Account("ann")
    box = ThreadSafeBox()
    a.keep(scoop.shared(box))
    assert a.kept is box


def test_shared_lets_an_uncopyable_object_cross():
    a = Account("ann")
    lock = threading.Lock()
    a.keep(scoop.shared(lock))
    assert a.kept is lock


# -- a value that cannot be imported raises SeparateValueError in the caller; nothing is logged


@pytest.mark.parametrize(
    "make", [threading.Lock, lambda: (i for i in range(3))], ids=["lock", "generator"]
)
def test_uncopyable_argument_raises_and_logs_nothing(make):
    value = make()
    a = Account("ann")
    a.keep("before")
    with pytest.raises(scoop.SeparateValueError) as info:
        a.keep(value)
    assert isinstance(info.value, TypeError)
    assert type(value).__name__ in str(info.value)
    assert a.kept == "before"  # the command was not logged


def test_uncopyable_value_inside_a_container_raises():
    a = Account("ann", 0)
    with pytest.raises(scoop.SeparateValueError) as info:
        a.keep([1, threading.Lock()])
    assert "lock" in str(info.value)
    a.deposit(1)
    assert a.balance == 1
    assert a.kept is None


def test_uncopyable_query_argument_raises_and_logs_nothing():
    a = Account("ann", 0)
    with pytest.raises(scoop.SeparateValueError):
        a.echo(threading.Lock())
    with pytest.raises(scoop.SeparateValueError):
        a.echo.future(threading.Lock())
    assert a.balance == 0


def test_uncopyable_result_raises_separate_value_error_in_the_caller():
    a = Account("ann", 0)
    with pytest.raises(scoop.SeparateValueError) as info:
        a.make_generator()
    assert "generator" in str(info.value)
    with pytest.raises(scoop.SeparateValueError) as info:
        a.make_lock()
    assert "lock" in str(info.value)
    # The handler is unharmed and the failure was not a failed command.
    a.deposit(1)
    assert a.balance == 1
