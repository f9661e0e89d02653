"""Adjoint bookkeeping during the backward sweep: which adjoints hold a value, and who owns it.

An adjoint is ZERO (no variable holds it: reading it contributes nothing, the first write
simply assigns), OWNED (it holds an array no other name refers to, so it may be updated in
place) or SHARED (it may alias another adjoint or a read-only view, so it is replaced, never
mutated). Tracking this statically is what lets the generated code assign on first write
instead of filling zeros and accumulating.
"""
from dataclasses import dataclass, field

import gast

from srcgrad import syntax
from srcgrad.naming import Namer

ZERO, OWNED, SHARED = "zero", "owned", "shared"


def adjoint_name(namer: Namer, var: str) -> str:
    return namer.fresh(f"d{var}" if var.startswith("_") else f"d_{var}")


@dataclass
class Adjoints:
    """The adjoint variable of each primal variable, and the state of each."""

    namer: Namer
    names: dict[str, str] = field(default_factory=dict)
    state: dict[str, str] = field(default_factory=dict)
    pure: bool = False  # no in-place updates: the code will be differentiated again
    # adjoints that may hold a scalar standing for the same value at every element of their
    # primal (from `np.sum(x)`): code that needs the full array calls `expand` first
    uniform: set[str] = field(default_factory=set)

    def name(self, var: str) -> str:
        if var not in self.names:
            self.names[var] = adjoint_name(self.namer, var)
        return self.names[var]

    def ref(self, var: str) -> gast.Name:
        return syntax.name(self.name(var))

    def is_zero(self, var: str) -> bool:
        return self.state.get(var, ZERO) == ZERO

    def reset(self, var: str) -> None:
        self.state[var] = ZERO
        self.uniform.discard(var)

    def expand(self, var: str, primal: gast.expr, helper: gast.Name, out: list[gast.stmt]) -> None:
        """Make a possibly-uniform adjoint a full array (before code that indexes or reshapes it)."""
        if var in self.uniform and not self.is_zero(var):
            out.append(syntax.assign(self.name(var), syntax.call(helper, self.ref(var), primal)))
            self.uniform.discard(var)

    def snapshot(self) -> dict[str, str]:
        return dict(self.state)

    def write(self, var: str, value: gast.expr, out: list[gast.stmt], uniform: bool = False) -> None:
        """Accumulate `value` into the adjoint of `var` (`uniform`: the value may be a scalar standing
        for a uniform array)."""
        if self.is_zero(var):
            if uniform:
                self.uniform.add(var)
        elif not uniform:
            self.uniform.discard(var)
        if self.is_zero(var):
            fresh = isinstance(value, (gast.BinOp, gast.UnaryOp))
            out.append(syntax.assign(self.name(var), value))
            self.state[var] = OWNED if fresh else SHARED
        elif self.state[var] == OWNED and not self.pure:
            # nothing else refers to this array: add in place, no new allocation
            out.append(gast.AugAssign(target=syntax.name(self.name(var), gast.Store), op=gast.Add(), value=value))
        else:
            total = gast.BinOp(left=self.ref(var), op=gast.Add(), right=value)
            out.append(syntax.assign(self.name(var), total))
            self.state[var] = OWNED

    def write_index(self, var: str, primal: gast.expr, index: gast.expr, value: gast.expr,
                    helpers: dict[str, gast.expr], out: list[gast.stmt]) -> None:
        """Accumulate `value` into `d[var][index]` (the adjoint of a subscript read)."""
        self.expand(var, primal, helpers["expand"], out)
        state = self.state.get(var, ZERO)
        if state == ZERO:
            out.append(syntax.assign(self.name(var), syntax.call(helpers["index_grad"], primal, index, value)))
        elif state == OWNED and not self.pure:
            out.append(syntax.expr_stmt(
                syntax.call(helpers["index_add_inplace"], self.ref(var), primal, index, value)))
        else:
            out.append(syntax.assign(
                self.name(var), syntax.call(helpers["index_add"], self.ref(var), primal, index, value)))
        self.state[var] = OWNED
