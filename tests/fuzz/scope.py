"""What a generated statement may read and write at its position, and which names share an object.

Invariants the generator keeps so that every program runs under Python's semantics:
- a float name keeps one shape for its whole life (loop bodies and branches reassign it with the
  same shape), so an expression's shape is known while generating;
- names created inside a block (branch or loop body) are not read after the block;
- positive names (`positive=True`) are parameters that are never reassigned;
- in-place writes go only to arrays f created itself, never to an argument (or a name aliasing one),
  so every evaluation of f sees the same arguments.
"""
import dataclasses

import numpy as np

Shape = tuple[int, ...]


def fits(shape: Shape, target: Shape) -> bool:
    """True when a value of `shape` broadcast against `target` has shape `target`."""
    try:
        return np.broadcast_shapes(shape, target) == target
    except ValueError:
        return False


@dataclasses.dataclass(frozen=True)
class Var:
    """A float-valued name (Python float, NumPy scalar, or array) with its fixed shape."""

    name: str
    shape: Shape
    positive: bool = False
    readonly: bool = False  # loop variables and positive parameters are never assigned


@dataclasses.dataclass
class Scope:
    """Names visible at one position; `child()` gives a block its own copy (its new names stay inside)."""

    floats: dict[str, Var]
    ints: list[str]  # int names that may be read (parameters, loop indices, counters)
    tallies: list[str]  # int counters that may be incremented
    lists: dict[str, Shape]  # non-empty lists of floats -> element shape
    buffers: list[str]  # arrays f created and may write into
    depth: int = 0
    in_loop: bool = False
    top: bool = True  # f's top level: an early `return` is allowed
    frozen_lists: frozenset[str] = frozenset()  # lists being iterated: no append
    frozen_arrays: frozenset[str] = frozenset()  # arrays being iterated: no write

    def child(self, **changes) -> "Scope":
        new = dataclasses.replace(self, floats=dict(self.floats), ints=list(self.ints),
                                  tallies=list(self.tallies), lists=dict(self.lists),
                                  buffers=list(self.buffers), top=False)
        for key, value in changes.items():
            setattr(new, key, value)
        return new

    def assignable(self) -> list[Var]:
        return [v for v in self.floats.values() if not v.readonly]

    def with_shape(self, target: Shape, exact: bool = False) -> list[Var]:
        return [v for v in self.floats.values() if (v.shape == target if exact else fits(v.shape, target))]


class Aliases:
    """Union-find over names that may refer to one object (conservative: never split).

    A write into an object reachable through two names makes the program an aliasing program;
    a group holding a parameter is never written.
    """

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}
        self.protected: set[str] = set()
        self.written: set[str] = set()

    def find(self, name: str) -> str:
        self.parent.setdefault(name, name)
        while self.parent[name] != name:
            self.parent[name] = self.parent[self.parent[name]]
            name = self.parent[name]
        return name

    def union(self, name: str, others) -> None:
        for other in others:
            a, b = self.find(name), self.find(other)
            if a != b:
                self.parent[a] = b
                if a in self.protected:
                    self.protected.add(b)
                if a in self.written:
                    self.written.add(b)

    def protect(self, name: str) -> None:
        self.protected.add(self.find(name))

    def is_protected(self, name: str) -> bool:
        return self.find(name) in self.protected

    def write(self, name: str) -> None:
        self.written.add(self.find(name))

    def aliasing(self) -> bool:
        """Some written object has (or may have had) a second name."""
        sizes: dict[str, int] = {}
        for name in self.parent:
            root = self.find(name)
            sizes[root] = sizes.get(root, 0) + 1
        return any(sizes.get(root, 0) > 1 for root in {self.find(w) for w in self.written})
