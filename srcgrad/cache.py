"""The caches of compiled derivatives, the lock that makes compiling thread-safe, and `clear_cache`.

Every compiled unit (joint gradient, split gradient of a callee, forward-mode function) is stored
under a key (the function object, what is differentiated, argument kinds) in a `Variants` cache:
the few units compiled for that key, each reused only while its reads (srcgrad/binding.py) still
hold for the values at hand. Compiling happens under one reentrant lock (compilation recurses
into callees), so no thread ever sees a unit that another thread is still building; a unit is
visible before it is finished only to the thread building it (recursion reaches it through a
stand-in that calls it once it exists).
"""
import threading
import weakref
from typing import Any

from srcgrad import binding

LOCK = threading.RLock()
_LIMIT = 8  # units kept per key: enough for a few objects whose attributes differ, bounded if they keep changing


class Variants:
    """key -> the units compiled for it, most recent first."""

    def __init__(self) -> None:
        self._entries: dict[tuple, list[Any]] = {}
        _CACHES.append(self)

    def find(self, key: tuple, params: dict[str, Any] | None = None) -> Any | None:
        """A unit for `key` whose reads hold with parameters `params` (values of known objects), or None."""
        for unit in self._entries.get(key, ()):
            if not unit.done:  # being compiled right now by this thread (recursion): it is the one
                return unit
            check, names = _check_of(unit)
            if check is None or check(tuple((params or {}).get(name) for name in names)):
                return unit
        return None

    def add(self, key: tuple, unit: Any) -> None:
        units = self._entries.setdefault(key, [])
        units.insert(0, unit)
        del units[_LIMIT:]

    def discard(self, key: tuple, unit: Any) -> None:
        units = self._entries.get(key, [])
        if unit in units:
            units.remove(unit)

    def clear(self) -> None:
        self._entries.clear()

    def __len__(self) -> int:
        return sum(len(units) for units in self._entries.values())


def _check_of(unit: Any) -> tuple[Any, tuple[str, ...]]:
    """The compiled check of all reads of `unit` (binding.guard) over its known parameters, in `names` order;
    kept on the unit once everything it reaches is compiled (run-time dispatch looks units up on every call)."""
    cached = getattr(unit, "_check", None)
    if cached is not None:
        return cached
    reads = binding.flatten(unit)
    names = tuple(sorted({read.root.name for read in reads if isinstance(read.root, binding.Param)}))
    check = binding.guard(reads, {name: i for i, name in enumerate(names)}), names
    if binding.complete(unit):
        unit._check = check
    return check


_CACHES: list[Variants] = []
_HOLDERS: "weakref.WeakSet[Any]" = weakref.WeakSet()  # objects keeping compiled code per call kind


def hold(holder: Any) -> None:
    """Register an object with a `forget()` method that drops the compiled code it keeps."""
    _HOLDERS.add(holder)


def clear_cache() -> None:
    """Drop every compiled derivative: gradients, callees' split gradients, forward-mode and higher-order code.

    The next call of any gradient compiles it again from the current source. srcgrad already
    recompiles when what a gradient baked in changes (see the README); this is for freeing memory,
    or for a clean slate (benchmarks that time compilation).
    """
    with LOCK:
        for cache in _CACHES:
            cache.clear()
        for holder in list(_HOLDERS):
            holder.forget()
        from srcgrad.frontend import parse

        parse._VERIFIED.clear()
        parse._IMPORTS.clear()
