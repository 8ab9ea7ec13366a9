"""Classes whose annotations are all strings (``from __future__ import annotations``).

SPEC §2: string annotations count the same as evaluated ones when classifying methods.
"""

from __future__ import annotations

from typing import List, NoReturn, Optional

from models import Holdable


class Postponed(Holdable):
    def __init__(self) -> None:
        self.calls: list = []

    def query_int(self) -> int:
        self.calls.append("query_int")
        return 7

    def query_optional(self) -> Optional[int]:
        self.calls.append("query_optional")
        return None

    def query_list(self) -> List[int]:
        self.calls.append("query_list")
        return [1, 2]

    def command_none(self) -> None:
        self.calls.append("command_none")

    def command_noreturn(self) -> NoReturn:  # type: ignore[misc]
        self.calls.append("command_noreturn")

    def command_unannotated(self):
        self.calls.append("command_unannotated")

    def history(self) -> list:
        return list(self.calls)
