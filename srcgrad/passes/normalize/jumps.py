"""`break` and `continue` become branches, so every loop body is a plain block.

The statements after an `if` that may jump move into its branches; `continue` then simply ends
the branch, and `break` sets a flag that guards the rest of the loop.

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> show(lambda t: expand_jumps(t, Namer({'f', 'x', 'n', 'i', 's'})), '''
... def f(x, n):
...     s = 0.0
...     for i in range(n):
...         if i == 3:
...             break
...         s = s + x
...     return s
... ''')
def f(x, n):
    s = 0.0
    _broke1 = False
    for i in range(n):
        if not _broke1:
            if i == 3:
                _broke1 = True
            else:
                s = s + x
    return s
"""
import copy

import gast

from srcgrad import syntax
from srcgrad.naming import Namer


def _jumps(stmts: list[gast.stmt]) -> tuple[bool, bool]:
    """(has break, has continue) for this loop level, not counting nested loops."""
    brk = cont = False
    stack = list(stmts)
    while stack:
        node = stack.pop()
        if isinstance(node, gast.Break):
            brk = True
        elif isinstance(node, gast.Continue):
            cont = True
        elif isinstance(node, gast.If):
            stack.extend(node.body + node.orelse)
    return brk, cont


def _fold(stmts: list[gast.stmt], flag: str | None) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Continue):
            return out
        if isinstance(stmt, gast.Break):
            out.append(gast.copy_location(syntax.assign(flag, syntax.const(True)), stmt))
            return out
        if isinstance(stmt, gast.If) and any(_jumps([stmt])):
            rest = stmts[k + 1:]
            body = _fold(stmt.body + rest, flag)
            orelse = _fold(stmt.orelse + copy.deepcopy(rest), flag)
            out.append(gast.copy_location(gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse), stmt))
            return out
        out.append(stmt)
    return out


class _Jumps(gast.NodeTransformer):
    def __init__(self, namer: Namer):
        self.namer = namer

    def loop(self, node: gast.For | gast.While):
        self.generic_visit(node)  # inner loops first
        brk, cont = _jumps(node.body)
        if not (brk or cont):
            return node
        flag = self.namer.numbered("_broke") if brk else None
        body = _fold(node.body, flag) or [gast.Pass()]
        if not brk:
            node.body = body
            return node
        not_broken = gast.UnaryOp(op=gast.Not(), operand=syntax.name(flag))
        if isinstance(node, gast.For):
            node.body = [gast.copy_location(gast.If(test=not_broken, body=body, orelse=[]), node)]
        else:
            node.test = gast.BoolOp(op=gast.And(), values=[not_broken, node.test])
            node.body = body
        init = gast.copy_location(syntax.assign(flag, syntax.const(False)), node)
        return [init, node]

    visit_For = loop
    visit_While = loop


def expand_jumps(fdef: gast.FunctionDef, namer: Namer) -> gast.FunctionDef:
    """Rewrite `break` and `continue` into branches and a flag."""
    return _Jumps(namer).visit(fdef)
