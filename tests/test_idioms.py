"""SPEC §2: Separate classes are ordinary Python classes.

ABCs, generics, ``__call__``, dataclasses, ``super()``, class and static methods work; a protocol
method a reference does not forward raises a TypeError naming the user's class and the fix.
"""

import abc
import dataclasses
import sys
from typing import Generic, TypeVar

import pytest

import scoop

T = TypeVar("T")


# -- abc.ABC


class Repository(scoop.Separate, abc.ABC):
    def __init__(self) -> None:
        self.items: list = []

    @abc.abstractmethod
    def fetch(self, key: str) -> str: ...

    def count(self) -> int:
        return len(self.items)


class MemoryRepository(Repository):
    def fetch(self, key: str) -> str:
        self.items.append(key)
        return key.upper()


class HalfRepository(Repository):
    @property
    @abc.abstractmethod
    def name(self) -> str: ...

    def fetch(self, key: str) -> str:
        return key


def test_a_separate_class_can_derive_from_abc():
    repo = MemoryRepository()
    assert scoop.is_separate(repo)
    assert repo.fetch("a") == "A"
    assert repo.count() == 1
    assert isinstance(repo, Repository) and isinstance(repo, abc.ABC)


def test_instantiating_an_abstract_separate_class_raises_type_error():
    with pytest.raises(TypeError, match="abstract.*fetch"):
        Repository()


def test_an_abstract_property_is_enforced_too():
    with pytest.raises(TypeError, match="abstract.*name"):
        HalfRepository()


def test_an_abstract_class_is_refused_on_a_given_processor_too():
    with pytest.raises(TypeError, match="abstract.*fetch"):
        Repository.on(scoop.processor())()


def test_an_abc_can_register_a_separate_class():
    class Store(abc.ABC):
        pass

    Store.register(MemoryRepository)
    assert isinstance(MemoryRepository(), Store)


# -- typing.Generic


class Box(scoop.Separate, Generic[T]):
    def __init__(self, value: T) -> None:
        self.value = value

    def get(self) -> T:
        return self.value

    def put(self, value: T) -> None:
        self.value = value


def test_a_parametrised_generic_separate_class_makes_a_reference():
    box = Box[int](5)
    assert scoop.is_separate(box)
    assert isinstance(box, Box)
    box.put(6)
    assert box.get() == 6


def test_a_parametrised_generic_class_places_on_a_processor():
    first = Box[str]("a")
    second = Box[str].on(scoop.processor_of(first))("b")
    assert scoop.processor_of(second) == scoop.processor_of(first)
    assert second.value == "b"


def test_setting_an_attribute_is_still_a_separate_access_error():
    box = Box(1)
    with pytest.raises(scoop.SeparateAccessError, match="cannot set attribute 'value'.*Box"):
        box.value = 2
    with pytest.raises(TypeError):
        del box.value
    assert box.get() == 1


# -- __call__


class Adder(scoop.Separate):
    def __init__(self, step: int) -> None:
        self.step = step
        self.calls = 0

    def __call__(self, x: int) -> int:  # annotated: a query
        self.calls += 1
        return x + self.step


class Sink(scoop.Separate):
    def __init__(self) -> None:
        self.got: list = []

    def __call__(self, item) -> None:  # returns None: a command
        self.got.append(item)

    def items(self) -> list:
        return self.got


def test_a_reference_to_an_object_with_call_is_callable():
    add = Adder(10)
    assert callable(add)
    assert add(5) == 15


def test_call_classified_as_a_command_is_logged():
    sink = Sink()
    assert sink("a") is None
    sink("b")
    assert sink.items() == ["a", "b"]


def test_call_has_a_future_like_any_method():
    add = Adder(1)
    assert add.__call__.future(41).result() == 42
    assert add.calls == 1


def test_a_reference_to_an_object_without_call_is_not_callable():
    box = Box(1)
    assert not callable(box)
    with pytest.raises(TypeError, match="not callable"):
        box()


# -- protocol methods that are not forwarded


class Resource(scoop.Separate):
    def __init__(self) -> None:
        self.open = False

    def __enter__(self) -> "Resource":
        self.open = True
        return self

    def __exit__(self, *exc_info) -> None:
        self.open = False


class Vector(scoop.Separate):
    def __init__(self, x: int) -> None:
        self.x = x

    def __add__(self, other: "Vector") -> "Vector":
        return Vector(self.x + other.x)

    def __lt__(self, other: "Vector") -> bool:
        return self.x < other.x

    def __bool__(self) -> bool:
        return self.x != 0

    def __await__(self):
        yield


def test_with_on_a_reference_names_the_class_and_scoop_separate():
    box = Box(1)
    with pytest.raises(TypeError, match=r"reference to a Box .*`with` statement.*with scoop\.separate\(ref\) as r:"):
        with box:
            pass


def test_async_with_on_a_reference_names_the_class_and_scoop_separate():
    import asyncio

    async def main():
        async with Box(1):
            pass

    with pytest.raises(TypeError, match=r"reference to a Box .*`async with`.*scoop\.separate\(ref\)"):
        asyncio.run(main())


def test_with_on_a_class_that_defines_enter_says_it_is_not_run():
    resource = Resource()
    with pytest.raises(TypeError, match=r"Resource defines __enter__, but a reference does not run it"):
        with resource:
            pass
    assert resource.open is False


def test_an_operator_the_class_defines_names_the_class_and_method():
    v = Vector(1)
    with pytest.raises(TypeError, match=r"Vector\.__add__ is not forwarded through a separate reference to a Vector"):
        v + v  # noqa: B018
    with pytest.raises(TypeError, match=r"Vector\.__lt__ is not forwarded"):
        sorted([Vector(2), v])


def test_truth_of_a_class_that_defines_bool_is_not_silently_true():
    zero = Vector(0)
    with pytest.raises(TypeError, match=r"Vector\.__bool__ is not forwarded.*`if ref:`.*call a query method of Vector"):
        bool(zero)


def test_await_on_a_reference_points_to_futures():
    import asyncio

    async def main():
        await Vector(1)

    with pytest.raises(TypeError, match=r"Vector\.__await__.*await ref\.method\.future\(\.\.\.\)"):
        asyncio.run(main())


def test_a_reference_keeps_its_own_identity_equality_and_repr():
    v = Vector(1)
    assert v == v and v != Vector(1)
    assert "Vector" in repr(v) and "Vector" in str(v)
    assert len({v, v}) == 1


# -- async def methods are refused when the class is made


def test_an_async_def_method_is_refused_naming_the_class_and_method():
    with pytest.raises(TypeError, match=r"Fetcher\.fetch is an async def method.*plain def.*await ref\.fetch\.future"):

        class Fetcher(scoop.Separate):
            async def fetch(self) -> str:
                return "page"


def test_an_async_generator_method_is_refused():
    with pytest.raises(TypeError, match=r"Stream\.lines is an async generator"):

        class Stream(scoop.Separate):
            async def lines(self):
                yield "line"


def test_an_async_static_method_is_refused():
    with pytest.raises(TypeError, match=r"Tool\.run is an async def method"):

        class Tool(scoop.Separate):
            @staticmethod
            async def run() -> None:
                pass


def test_an_async_method_inherited_from_a_mixin_is_refused():
    class Mixin:
        async def poll(self) -> None:
            pass

    with pytest.raises(TypeError, match=r"Poller\.poll is an async def method"):

        class Poller(scoop.Separate, Mixin):
            pass


# -- dataclasses, super(), class and static methods


@dataclasses.dataclass
class Order(scoop.Separate):
    item: str
    quantity: int = 1
    notes: list = dataclasses.field(default_factory=list)

    def __post_init__(self) -> None:
        self.notes.append(f"ordered {self.item}")

    def add(self, n: int) -> None:
        self.quantity += n

    def summary(self) -> str:
        return f"{self.quantity} x {self.item}"


def test_a_separate_dataclass():
    order = Order("tea", 2)
    order.add(3)
    assert order.summary() == "5 x tea"
    assert order.item == "tea" and order.notes == ["ordered tea"]
    assert scoop.is_separate(order)


def test_two_separate_dataclass_objects_are_distinct_objects():
    a, b = Order("tea"), Order("tea")
    assert a != b  # references compare by identity, not by the dataclass's fields
    assert scoop.processor_of(a) != scoop.processor_of(b)


@pytest.mark.skipif(sys.version_info < (3, 10), reason="slots=True needs 3.10")
def test_a_separate_dataclass_with_slots():
    @dataclasses.dataclass(slots=True)
    class Point(scoop.Separate):
        x: int
        y: int

        def norm1(self) -> int:
            return abs(self.x) + abs(self.y)

    assert Point(3, -4).norm1() == 7


class Counter(scoop.Separate):
    created = 0

    def __init__(self, start: int = 0) -> None:
        self.n = start

    def bump(self) -> None:
        self.n += 1

    def value(self) -> int:
        return self.n

    @classmethod
    def kind(cls) -> str:
        return cls.__name__

    @classmethod
    def starting_at(cls, start: int) -> "Counter":
        return cls(start)

    @staticmethod
    def double(x: int) -> int:
        return 2 * x


class DoubleCounter(Counter):
    def __init__(self, start: int = 0) -> None:
        super().__init__(start * 2)

    def bump(self) -> None:
        super().bump()
        super().bump()

    def value(self) -> int:
        return super().value() * 10


def test_super_in_methods_and_init():
    c = DoubleCounter(1)
    c.bump()
    assert c.value() == 40


def test_class_and_static_methods_through_a_reference():
    c = DoubleCounter()
    assert c.kind() == "DoubleCounter"
    assert c.double(4) == 8


def test_a_classmethod_constructor_makes_a_separate_object():
    c = DoubleCounter.starting_at(3)
    assert scoop.is_separate(c)
    assert c.value() == 60
    assert Counter.double(5) == 10  # on the class: a plain call
