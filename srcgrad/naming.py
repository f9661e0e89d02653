"""One Namer per generated module: reserves every user name, then hands out fresh ones.

Names are deterministic (counters, never random) so generated code is stable across runs.
"""
import itertools


class Namer:
    """Fresh names that never collide with user names or with each other."""

    def __init__(self, reserved: set[str] = frozenset()):
        self.taken: set[str] = set(reserved)
        self._counters: dict[str, itertools.count] = {}

    def reserve(self, *names: str) -> None:
        self.taken.update(names)

    def fresh(self, preferred: str) -> str:
        """`preferred` if free, else `preferred` with a number appended."""
        if preferred not in self.taken:
            self.taken.add(preferred)
            return preferred
        return self.numbered(preferred)

    def numbered(self, prefix: str) -> str:
        """`prefix1`, `prefix2`, ...: temporaries that are always numbered."""
        counter = self._counters.setdefault(prefix, itertools.count(1))
        while True:
            candidate = f"{prefix}{next(counter)}"
            if candidate not in self.taken:
                self.taken.add(candidate)
                return candidate

    def temp(self) -> str:
        return self.numbered("_t")
