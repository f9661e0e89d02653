"""One Namer per generated module: reserves every user name, then hands out fresh ones.

Names are deterministic (counters, never random) so generated code is stable across runs.
"""


class Namer:
    """Fresh names that never collide with user names or with each other."""

    def __init__(self, reserved: set[str] = frozenset()):
        self.taken: set[str] = set(reserved)
        self._counters: dict[str, int] = {}  # prefix -> last number handed out

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
        number = self._counters.get(prefix, 0)
        while True:
            number += 1
            candidate = f"{prefix}{number}"
            if candidate not in self.taken:
                self._counters[prefix] = number
                self.taken.add(candidate)
                return candidate

    def checkpoint(self) -> tuple[set[str], dict[str, int]]:
        """The state to return to when generated code is thrown away and built again."""
        return set(self.taken), dict(self._counters)

    def rollback(self, state: tuple[set[str], dict[str, int]], keep: set[str] = frozenset()) -> None:
        """Forget names handed out since `state`, except `keep` (names still in use)."""
        taken, counters = state
        self.taken = set(taken) | set(keep)
        self._counters = dict(counters)

    def temp(self) -> str:
        return self.numbered("_t")
