"""The examples run, print their result, and exit 0."""

import os
import re

import pytest

from support import ROOT_DIR, describe, run_python

EXAMPLES = {
    "bank.py": r"^total 5,000 \(started with 5,000\): conserved$",
    "counter.py": r"^counter = 8000 \(expected 8000\)$",
    "bounded_buffer.py": (
        r"^2,000 items consumed \(sum 1,999,000, expected 2,000 with sum 1,999,000\): "
        r"each consumed exactly once$"
    ),
    "dining_philosophers.py": (
        r"^every philosopher ate every meal, and no one starved or deadlocked$"
    ),
    "sleeping_barber.py": (
        r"^\d+ \+ \d+ = 200 customers: every customer served or turned away, once$"
    ),
}


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_example_runs_and_prints_its_result(name):
    result = run_python([os.path.join(ROOT_DIR, "examples", name)])
    assert result.returncode == 0, describe(result)
    assert re.search(EXAMPLES[name], result.stdout, re.MULTILINE), describe(result)


def test_every_example_is_tested():
    examples = {f for f in os.listdir(os.path.join(ROOT_DIR, "examples")) if f.endswith(".py")}
    assert examples <= set(EXAMPLES), f"untested examples: {sorted(examples - set(EXAMPLES))}"
