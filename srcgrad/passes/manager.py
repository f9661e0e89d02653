"""The context every pass shares, and the dump hook (SRCGRAD_DUMP=1 prints the source after each stage)."""
import os
import sys
from dataclasses import dataclass, field
from typing import Any, Callable

import gast

from srcgrad import syntax
from srcgrad.frontend.parse import Source
from srcgrad.naming import Namer


@dataclass
class Context:
    """What the stages share about one function: its source, the names taken, what the generated code needs."""

    source: Source
    namer: Namer
    local_names: set[str]
    # (callee, active parameters, call site, known values) -> its split gradient; provided by the compiler
    split_of: Callable[..., Any]
    injected: dict[str, Any] = field(default_factory=dict)  # name in generated code -> object
    local_functions: dict[str, Any] = field(default_factory=dict)  # nested def name -> LocalFunction
    known: dict[str, Any] = field(default_factory=dict)  # parameter -> value fixed at compile time (self)
    _refs: dict[int, str] = field(default_factory=dict)  # id(object) -> its name there

    def ref(self, obj: Any, preferred: str) -> gast.Name:
        """A name under which generated code sees `obj`: the user's own name for it when they have one."""
        key = id(obj)
        if key not in self._refs:
            own = preferred not in self.local_names and self.source.lookup(preferred, None) is obj
            if own and (preferred not in self.injected):
                self.namer.reserve(preferred)
                self._refs[key] = preferred
            else:
                name = self.namer.fresh(preferred)
                self.injected[name] = obj
                self._refs[key] = name
        return syntax.name(self._refs[key])

    def line_comment(self, stmt: gast.stmt, label: str) -> gast.Expr:
        """`# <label> line N: <the user's source line>`, the comment heading a generated block."""
        origin = self.source.origin(stmt)
        return syntax.comment(f"{label} line {origin.lineno}: {origin.one_line()}")

    def dump(self, stage: str, tree: gast.AST) -> None:
        if os.environ.get("SRCGRAD_DUMP"):
            from srcgrad.codegen.unparse import unparse

            print(f"# ---- {self.source.name}: after {stage} ----", file=sys.stderr)
            print(unparse(tree), file=sys.stderr)
