"""What the arguments of a call are to the compiler; one answer for reverse mode (`grad`) and forward mode (`jvp`).

- `kind(arg)`: True for a Python number (scalar code needs no broadcasting bookkeeping), the class
  for an object of a user class (its method calls are resolved against it), else False. A tuple
  of kinds selects the compiled specialization.
- `specialize`: from the kinds, the parameters that hold numbers, the objects known at compile time
  (`self` of a bound method, object arguments), and where each known object is at a call (for the
  per-call check that its attributes still resolve as compiled: binding.guard).
- `find_complex`: complex inputs have no gradient convention here, so they are refused by name.
- `check_structure`: before compiling, refuse a differentiated argument that keeps its arrays as
  attributes of an object of a user class (not a named tuple or dataclass), or holds a record with a
  field srcgrad would misread (`p.T`), with the way out.
"""
from dataclasses import dataclass
from typing import Any

import numpy as np

from srcgrad.binding import Const
from srcgrad.runtime import records

_NUMBERS = (float, int)
_PLAIN = (np.ndarray, np.generic, dict, list, tuple, str, bytes, type(None), bool)


class _KindOfType(dict):
    """type -> kind, filled on first sight of each type (a kind depends on the argument's type only)."""

    def __missing__(self, cls: type) -> bool | type:
        value = True if cls in _NUMBERS else False if issubclass(cls, _PLAIN) else cls
        self[cls] = value
        return value


_KIND_OF_TYPE = _KindOfType()


def kind(arg: Any) -> bool | type:
    """How an argument shapes the generated code: a number, an object of a user class, or neither."""
    return _KIND_OF_TYPE[type(arg)]


def kinds(args: tuple, table: _KindOfType = _KIND_OF_TYPE) -> tuple:
    """The kinds of all arguments: one dict lookup each, written out for few arguments (this runs on every
    call; a comprehension costs twice as much)."""
    n = len(args)
    if n == 1:
        return (table[type(args[0])],)
    if n == 2:
        return table[type(args[0])], table[type(args[1])]
    if n == 3:
        return table[type(args[0])], table[type(args[1])], table[type(args[2])]
    return tuple([table[type(a)] for a in args])


@dataclass(frozen=True)
class Specialization:
    """What the compiler is told about one tuple of argument kinds."""

    numbers: frozenset[str]  # parameters holding Python numbers
    known: dict[str, Any] | None  # parameter -> object, fixed for this compilation (method calls resolve on it)
    params: dict[str, int | Const]  # parameter -> where it is at a call: index into the arguments, or a fixed object


def specialize(positional: list[str], kinds: tuple, args: tuple, bound: Any = None) -> Specialization:
    """The specialization for positional arguments `args` (of kinds `kinds`) of a function whose positional
    parameters are `positional`; `bound` is the `self` of a bound method (not among `args`), if any."""
    known: dict[str, Any] = {}
    params: dict[str, int | Const] = {}
    if bound is not None:
        known[positional[0]] = bound
        params[positional[0]] = Const(bound)
        positional = positional[1:]
    numbers = frozenset(name for name, k in zip(positional, kinds) if k is True)
    for index, (name, k, arg) in enumerate(zip(positional, kinds, args)):
        if isinstance(k, type):
            known[name] = arg
            params[name] = index
    return Specialization(numbers, known or None, params)


_ARRAY = np.ndarray


def has_complex(x: Any) -> bool:
    """Whether `x` (an array, a number, a dict/list/tuple of them) holds complex numbers.

    Runs on every call for each differentiated argument, so array and float leaves are tested inline.
    """
    cls = type(x)
    if cls is dict:
        x = x.values()
    elif cls is _ARRAY:
        return x.dtype.kind == "c"
    elif cls is float or cls is int or cls is bool:
        return False
    elif cls is not list and cls is not tuple:
        return find_complex(x, "") is not None
    for value in x:
        leaf = type(value)
        if leaf is _ARRAY:
            if value.dtype.kind == "c":
                return True
        elif leaf is not float and has_complex(value):
            return True
    return False


def find_complex(x: Any, path: str) -> tuple[str, str] | None:
    """(where, what) for the first complex number in `x` (an array, a number, a dict/list/tuple of them), or None."""
    cls = type(x)
    if cls is float or cls is int:
        return None
    if cls is np.ndarray or isinstance(x, np.ndarray | np.generic):
        return (path, f"dtype {x.dtype}") if x.dtype.kind == "c" else None
    if isinstance(x, complex):
        return path, "a Python complex"
    if isinstance(x, dict):
        items = [(f"{path}[{key!r}]", value) for key, value in x.items()]
    elif records.is_record(x):
        items = [(f"{path}.{name}", value) for _, name, value in records.items(x)]
    elif isinstance(x, list | tuple):
        items = [(f"{path}[{i}]", value) for i, value in enumerate(x)]
    else:
        return None
    for where, value in items:
        found = find_complex(value, where)
        if found is not None:
            return found
    return None


def _holds_numbers(value: Any) -> bool:
    if isinstance(value, float | np.ndarray | np.floating):
        return True
    if isinstance(value, dict):
        return any(_holds_numbers(v) for v in value.values())
    return isinstance(value, list | tuple) and any(_holds_numbers(v) for v in value)


def check_structure(func: Any, at: list[tuple[str, int | None]], args: tuple) -> None:
    """Raise WrtError if a differentiated argument (`at`: name, position) is an object of a user class other than
    a named tuple or dataclass whose attributes hold numbers (srcgrad cannot rebuild such an object around its
    gradient, nor follow the methods that change it), or holds a record whose fields clash with array attributes.
    Runs when a specialization is compiled, not on every call."""
    for name, index in at:
        x = args[index] if index is not None and index < len(args) else None
        _check_records(x)
        if not isinstance(kind(x), type) or records.is_record(x):
            continue
        held = [attr for attr, value in getattr(x, "__dict__", {}).items() if _holds_numbers(value)]
        if held:
            from srcgrad.errors import WrtError

            cls = type(x).__qualname__
            raise WrtError(
                f"argument {name!r} of {getattr(func, '__qualname__', func)} is a {cls} object that keeps its numbers "
                f"as attributes ({', '.join(held[:4])}{', ...' if len(held) > 4 else ''}); srcgrad differentiates "
                "arrays and numbers, and dicts, lists, tuples, NamedTuples and dataclasses of them",
                hint=f"Keep the parameters in a dict, a typing.NamedTuple or a @dataclasses.dataclass (for example "
                f"make {cls} a @dataclass whose fields are the arrays, or pass {{'W': ..., 'b': ...}}) and "
                "differentiate with respect to that; the gradient comes back in the same type.")


def _check_records(x: Any, depth: int = 0) -> None:
    """records.check_field_names for every record inside `x` (containers a few levels deep)."""
    if depth > 8:
        return
    if isinstance(x, dict):
        values = x.values()
    elif records.is_record(x):
        records.check_field_names(x)
        values = [value for _, _, value in records.items(x)]
    elif isinstance(x, list | tuple):
        values = x
    else:
        return
    for value in values:
        _check_records(value, depth + 1)
