"""Shared set-up for the pyscoop test suite.

Each test starts with a fresh runtime: the autouse fixture shuts the runtime down after every
test (SPEC §9: after ``scoop.shutdown()`` a new separate object starts a fresh runtime).
"""

import os
import sys

import pytest

TESTS_DIR = os.path.dirname(os.path.abspath(__file__))
if TESTS_DIR not in sys.path:
    # ``from models import Account``: the classes under test are importable by name.
    sys.path.insert(0, TESTS_DIR)

import scoop  # noqa: E402

# pytest's own fixture for testing plugins: test_plugin runs pytest on test files it writes.
pytest_plugins = ["pytester"]


@pytest.fixture(autouse=True)
def fresh_runtime():
    yield
    scoop.shutdown()
