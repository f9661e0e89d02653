"""Python's recursion limit: room for compiling deeply nested code, and what a gradient of deep recursion says.

- `nesting(tree)`: how deeply an `ast` tree nests (a sum of 500 terms on one line is 500 levels), counted
  without recursion. gast and srcgrad's passes walk trees recursively, a few frames per level, so
  `room(levels)` raises the recursion limit while a function that deep is compiled, by what its depth needs,
  and puts it back after. Beyond MAX_NESTING levels (deeper than Python compiles under its default limit)
  `too_nested` says which line to split.
- Generated code calls a recursive function's gradient one frame per level, as the function calls itself.
  A RecursionError from a gradient becomes a `RecursionLimitError` (`too_deep`) naming the user's recursive
  call (`note_recursion` records, per generated file, the line of each call back into a function still being
  compiled), the depth it reached and the limit.
"""
import ast
import collections
import contextlib
import sys
import threading
import traceback
from typing import Any, Iterator

from srcgrad.errors import Origin, RecursionLimitError

# levels; Python itself compiles about 2000 under its default limit of 1000 frames. CPython 3.12 compiles
# an AST object (srcgrad's check that it read the code Python runs) only to about 1495 levels, whatever the limit.
MAX_NESTING = 1400 if sys.version_info[:2] == (3, 12) else 3000
_FRAMES_PER_LEVEL = 8  # frames a recursive tree walk (gast's conversion, srcgrad's visitors) takes per level
_ROOM = 500  # frames kept free beyond that
_QUIET = 100  # levels that need no change of the limit
_LOCK = threading.Lock()
_RECURSIVE_CALLS: dict[str, Origin] = {}  # generated file name -> the user's recursive call it makes


def nesting(tree: ast.AST) -> tuple[int, ast.AST, int]:
    """The depth of `tree` (levels of nodes), its deepest node with a line number, and how many of those levels
    are inside the statement that holds it; without recursion."""
    deepest, node_at, inside = 0, tree, 0
    stack = [(tree, 1, 1, tree)]
    while stack:
        node, level, statement, located = stack.pop()
        if isinstance(node, ast.stmt):
            statement = level
        if hasattr(node, "lineno"):
            located = node
        if level > deepest:
            deepest, node_at, inside = level, located, level - statement
        stack.extend((child, level + 1, statement, located) for child in ast.iter_child_nodes(node))
    return deepest, node_at, inside


def _stack_depth() -> int:
    frame, n = sys._getframe(), 0
    while frame is not None:
        frame, n = frame.f_back, n + 1
    return n


@contextlib.contextmanager
def room(levels: int) -> Iterator[None]:
    """Python's recursion limit raised, for the duration, to walk a tree `levels` deep recursively (unchanged for
    ordinary code); put back after unless something else changed it meanwhile."""
    if levels <= _QUIET:
        yield
        return
    with _LOCK:
        old = sys.getrecursionlimit()
        need = _stack_depth() + levels * _FRAMES_PER_LEVEL + _ROOM
        raised = max(old, need)
        sys.setrecursionlimit(raised)
    try:
        yield
    finally:
        with _LOCK:
            if sys.getrecursionlimit() == raised:
                sys.setrecursionlimit(old)


def too_nested(levels: int, origin: Origin) -> RecursionLimitError:
    """The error for code nested deeper than srcgrad compiles (MAX_NESTING levels)."""
    return RecursionLimitError(
        f"this statement nests {levels} levels deep (a long chain like `x0 + x1 + ... ` or deeply nested "
        f"calls), more than the {MAX_NESTING} levels srcgrad compiles on Python {sys.version_info[0]}."
        f"{sys.version_info[1]}", origin,
        hint="Split it into several statements (partial sums: `s = x0 + ... + x99`, then `s = s + x100 + ...`), "
        "or sum a list or an array (`sum(xs)`, `np.sum(np.stack(xs))`).")


def note_recursion(functions: Any, calls: list[Origin]) -> None:
    """Record that the generated `functions` make the user's recursive `calls` (the first one is named)."""
    if not calls:
        return
    for function in functions:
        code = getattr(function, "__code__", None)
        if code is not None:
            _RECURSIVE_CALLS[code.co_filename] = calls[0]


def too_deep(exc: RecursionError, func: Any, label: str) -> RecursionLimitError:
    """The error for a RecursionError raised while the gradient `label` of `func` ran."""
    frames = traceback.extract_tb(exc.__traceback__)
    limit = sys.getrecursionlimit()
    suggestion = (limit * 2 + 999) // 1000 * 1000
    hint = (f"Raise Python's limit before calling it, for example sys.setrecursionlimit({suggestion}) (each level "
            "takes one frame, as in the function itself, and srcgrad's run a few more), or write the recursion as "
            "a loop, which srcgrad differentiates without using frames.")
    if not frames:
        return RecursionLimitError(f"{label} reached Python's recursion limit ({limit} frames)", hint=hint)
    (filename, lineno, name), count = collections.Counter(
        (f.filename, f.lineno, f.name) for f in frames).most_common(1)[0]
    origin = _RECURSIVE_CALLS.get(filename)
    for _ in range(4):  # generated code differentiated again (hvp): its recursive call is in generated code too
        if origin is None or origin.filename not in _RECURSIVE_CALLS:
            break
        origin = _RECURSIVE_CALLS[origin.filename]
    if origin is None and not filename.startswith("<srcgrad"):
        text = next((f.line for f in frames if f.filename == filename and f.lineno == lineno), "") or ""
        origin = Origin(filename, lineno, text, name)
    who = origin.function if origin is not None and origin.function else name
    return RecursionLimitError(
        f"{label} reached Python's recursion limit ({limit} frames): {who} calls itself about {count} levels deep "
        "here", origin, hint=hint)
