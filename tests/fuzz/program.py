"""A generated program: module source text, the point to evaluate it at, and what it exercises.

A `Program` renders to an ordinary Python module (`import numpy as np`, helper functions, then
`def f(...)`). `source("autograd.numpy")` renders the same text importing autograd's NumPy
instead, so autograd gets its own copy of every function (no swapped globals). Modules are
written to real .py files and imported, because srcgrad reads function source with `inspect`.
"""
import dataclasses
import importlib.util
import itertools
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

Shape = tuple[int, ...]


@dataclasses.dataclass(frozen=True)
class Param:
    """One parameter of f: `kind` is float (Python), float64/float32 (NumPy scalar), 0d, array or int."""

    name: str
    kind: str
    shape: Shape = ()
    dtype: str = "float64"
    positive: bool = False

    @property
    def differentiable(self) -> bool:
        return self.kind != "int"


@dataclasses.dataclass
class Program:
    """Source lines of a module defining `f`, one argument tuple, and the `wrt` to differentiate.

    `aliasing` marks programs that write into an array reachable through a second name (srcgrad may
    refuse them with a SrcgradError, never return a wrong number); `global_seed` is set when f
    draws from `np.random`'s global state, which must be reseeded before every evaluation.
    """

    params: list[Param]
    preamble: list[str]
    helpers: list[list[str]]
    body: list[str]
    args: tuple
    wrt: Any
    features: frozenset[str]
    aliasing: bool = False
    global_seed: int | None = None

    @property
    def float32(self) -> bool:
        return any(p.dtype == "float32" for p in self.params)

    @property
    def wrt_indices(self) -> tuple[int, ...]:
        items = self.wrt if isinstance(self.wrt, tuple) else (self.wrt,)
        names = [p.name for p in self.params]
        return tuple(i if isinstance(i, int) else names.index(i) for i in items)

    def function_lines(self) -> list[str]:
        signature = ", ".join(p.name for p in self.params)
        return [f"def f({signature}):"] + ["    " + line for line in self.body]

    def source(self, numpy: str = "numpy") -> str:
        """The module text; `numpy` is the module imported as `np` (numpy or autograd.numpy)."""
        parts = ["import math", "", f"import {numpy} as np", "", *self.preamble]
        for helper in self.helpers:
            parts += ["", "", *helper]
        parts += ["", "", *self.function_lines()]
        return "\n".join(parts) + "\n"

    def describe(self) -> str:
        """The program as a reader wants it in a failure report: helpers, f, arguments and wrt."""
        text = self.source().split("\n", 4)[4].strip("\n")
        args = ", ".join(f"{p.name}={show_value(a)}" for p, a in zip(self.params, self.args, strict=True))
        extra = f"  # np.random.seed({self.global_seed}) before each call" if self.global_seed is not None else ""
        return f"{text}\n\n# f({args}), wrt={self.wrt!r}{extra}\n"


def show_value(value: Any) -> str:
    """A value as Python source that rebuilds it (kind and dtype included)."""
    if isinstance(value, bool | int | float) and not isinstance(value, np.generic):
        return repr(value)
    if isinstance(value, np.generic):
        return f"np.{value.dtype.name}({float(value)!r})"
    array = np.asarray(value)
    dtype = "" if array.dtype == np.float64 else f", dtype=np.{array.dtype.name}"
    return f"np.array({array.tolist()!r}{dtype})"


_counter = itertools.count()


def load(source: str, directory: Path, stem: str = "fuzz_prog") -> ModuleType:
    """Write `source` to a fresh .py file in `directory` and import it as a new module."""
    name = f"{stem}_{next(_counter)}"
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def unload(module: ModuleType) -> None:
    """Forget a loaded program module (its file stays; srcgrad's caches may still hold its code)."""
    sys.modules.pop(module.__name__, None)
