"""Classes for the placement tests (SPEC §7). Importable by name: workers unpickle them."""

from __future__ import annotations

import os

import scoop


class Cruncher(scoop.Separate):
    def __init__(self, start: int = 0) -> None:
        self.total = start
        self.rows: list = []

    def add(self, n: int) -> None:
        self.total += n

    def load(self, rows: list) -> None:
        self.rows = rows

    def row_sums(self) -> list:
        return [sum(r) for r in self.rows]

    def pid(self) -> int:
        return os.getpid()

    def fail(self, message: str) -> None:
        raise ValueError(message)


class Fork(scoop.Separate):
    def __init__(self) -> None:
        self.uses = 0

    def use(self) -> None:
        self.uses += 1
