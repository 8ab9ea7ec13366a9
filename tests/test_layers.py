"""The runtime's modules are layered: each imports only the ones below it (issue #8).

A newcomer reads the protocol from the bottom up (docs/protocol.md, "Where the code is"): the
records and codes, the private queue's turn, processors and clients, the serve loop, the
client's call paths, references, reservations. An import that goes up (or a function-level
import that hides one) would make that reading circular; this test keeps the order.
Names from a module above may appear in annotations only, under ``if TYPE_CHECKING:``.
"""

import ast
import os

import scoop

#: Lowest first. A module may import (at run time) only the ones before it.
LAYERS = [
    "_protocol",  # codes and queue records: imports nothing of pyscoop
    "_native",  # the Go core
    "_errors",
    "_waiters",  # wait conditions re-evaluated by the handler
    "_queue",  # the private queue and its turn: both sides
    "_processor",  # processors and clients: opening and closing queues
    "_busy",
    "_threadstate",  # what the runtime knows about each thread and fiber
    "_dedicated",  # thread processors (kind "thread")
    "_runtime",  # executors, fibers, the serve loop
    "_calls",  # the client's side of a call
    "_proxy",
    "_reservation",  # scoop.separate blocks
]

PACKAGE = os.path.dirname(scoop.__file__)


def _imports(module: str) -> tuple[set[str], set[str]]:
    """The pyscoop modules *module* imports at run time, and those it
    imports inside functions."""
    path = os.path.join(PACKAGE, module, "__init__.py") if module == "_native" else os.path.join(PACKAGE, module + ".py")
    tree = ast.parse(open(path).read())
    top: set[str] = set()
    nested: set[str] = set()

    def visit(node: ast.AST, in_function: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.dump(child.test):
                continue  # annotations only
            if isinstance(child, ast.ImportFrom) and child.level == 1:
                names = {child.module} if child.module else {a.name for a in child.names}
                (nested if in_function else top).update(n.split(".")[0] for n in names)
            visit(child, in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)))

    visit(tree, False)
    return top, nested


def test_each_module_of_the_runtime_imports_only_the_layers_below_it():
    upward = []
    for i, module in enumerate(LAYERS):
        top, nested = _imports(module)
        for name in sorted((top | nested) & set(LAYERS)):
            if LAYERS.index(name) >= i:
                upward.append(f"{module} imports {name}")
        for name in sorted(nested & set(LAYERS)):
            upward.append(f"{module} imports {name} inside a function")
    assert not upward, "; ".join(upward)
