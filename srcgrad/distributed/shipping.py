"""What a worker needs to compile the user's gradient: the pickled functions and their source.

srcgrad compiles from source text, which a worker may not have: the function may live in a
script run as `__main__`, a notebook cell (a file name like `<ipython-input-3>` that only the
driver's `linecache` knows), or a module that is not installed on the workers. cloudpickle
pickles such functions by value; here we also collect the source text of every file holding
a function reachable from the loss that is pickled by value, so the worker can register it in
its `linecache` before compiling (`register_sources`). cloudpickle (3.1 and later) also
replaces the file name of each code object it pickles by "<dynamic-code>", so we ship the
functions with their file names and put the names back (`restore_filenames`).
"""
import linecache
import sys
import types
from collections.abc import Iterable
from typing import Any

Sources = dict[str, list[str]]
Located = list[tuple[types.FunctionType, str]]  # by-value functions and their source file names


def by_value(obj: Any) -> bool:
    """Whether cloudpickle ships `obj` (a function or class) by value: its module is not importable by name."""
    module = getattr(obj, "__module__", None)
    if module is None or module == "__main__" or module not in sys.modules:
        return True
    try:
        import cloudpickle

        return module in getattr(cloudpickle.cloudpickle, "_PICKLE_BY_VALUE_MODULES", set())
    except ImportError:  # pragma: no cover - cloudpickle comes with dask
        return False


def collect_sources(roots: Iterable[Any], limit: int = 2000) -> tuple[Sources, Located]:
    """Source lines of each file holding a function reachable from `roots` that is pickled by value,
    and those functions with their file names."""
    sources: Sources = {}
    located: Located = []
    seen: set[int] = set()
    stack = list(roots)
    while stack and len(seen) < limit:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        if isinstance(obj, (staticmethod, classmethod)):
            stack.append(obj.__func__)
            continue
        if isinstance(obj, types.MethodType):
            stack.extend((obj.__func__, obj.__self__))
            continue
        if not isinstance(obj, types.FunctionType):
            if isinstance(obj, type):
                if by_value(obj):
                    stack.extend(vars(obj).values())
            elif not isinstance(obj, types.ModuleType) and hasattr(obj, "__dict__") and by_value(type(obj)):
                stack.append(type(obj))
                if hasattr(obj, "__wrapped__"):  # a GradientFunction or other wrapper
                    stack.append(obj.__wrapped__)
            elif hasattr(obj, "__wrapped__"):
                stack.append(obj.__wrapped__)
            continue
        if not by_value(obj):
            continue
        code = obj.__code__
        located.append((obj, code.co_filename))
        if code.co_filename not in sources:
            lines = linecache.getlines(code.co_filename, obj.__globals__)
            if lines:
                sources[code.co_filename] = list(lines)
        for name in _names(code):
            if name in obj.__globals__:
                stack.append(obj.__globals__[name])
        for cell in obj.__closure__ or ():
            try:
                stack.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        stack.extend(v for v in (obj.__defaults__ or ()) if callable(v))
    return sources, located


def _names(code: types.CodeType) -> set[str]:
    names = set(code.co_names)
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            names |= _names(const)
    return names


def register_sources(sources: Sources) -> None:
    """Make `sources` readable by `inspect.getsource` in this process (a no-op for files already there)."""
    for filename, lines in sources.items():
        # mtime None: linecache.checkcache leaves the entry alone (as for source from a loader).
        linecache.cache[filename] = (sum(map(len, lines)), None, list(lines), filename)


def restore_filenames(located: Located) -> None:
    """Give each unpickled function's code (and the code nested in it) its original file name."""
    for fn, filename in located:
        if fn.__code__.co_filename != filename:
            fn.__code__ = _renamed(fn.__code__, filename)


def _renamed(code: types.CodeType, filename: str) -> types.CodeType:
    consts = tuple(_renamed(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts)
    return code.replace(co_filename=filename, co_consts=consts)
