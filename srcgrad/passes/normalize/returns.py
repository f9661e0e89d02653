"""Early returns become one return at the end: the statements after an `if` that may return
are moved into both of its branches, and every `return e` becomes `_ret = e`.

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> show(lambda t: single_return(t, Namer({'f', 'x', 'n'})), '''
... def f(x, n):
...     if n == 0:
...         return 1.0
...     y = x * x
...     return y
... ''')
def f(x, n):
    if n == 0:
        _ret = 1.0
    else:
        y = x * x
        _ret = y
    return _ret
"""
import copy

import gast

from srcgrad import syntax
from srcgrad.naming import Namer


def _returns(node: gast.AST) -> bool:
    return any(isinstance(n, gast.Return) for n in gast.walk(node))


def _fold(stmts: list[gast.stmt], result: str) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for k, stmt in enumerate(stmts):
        if isinstance(stmt, gast.Return):
            out.append(gast.copy_location(syntax.assign(result, stmt.value), stmt))
            return out
        if isinstance(stmt, gast.If) and _returns(stmt):
            rest = stmts[k + 1:]
            body = _fold(stmt.body + rest, result)
            orelse = _fold(stmt.orelse + copy.deepcopy(rest), result)
            out.append(gast.copy_location(gast.If(test=stmt.test, body=body, orelse=orelse), stmt))
            return out
        out.append(stmt)
    return out


def single_return(fdef: gast.FunctionDef, namer: Namer) -> gast.FunctionDef:
    """Rewrite early returns (inside if/else) so the function returns once, at its end."""
    body = fdef.body
    early = any(_returns(stmt) for stmt in body[:-1]) or (body and not isinstance(body[-1], gast.Return))
    if not early:
        return fdef
    result = namer.fresh("_ret")
    fdef.body = _fold(body, result) + [gast.Return(value=syntax.name(result))]
    gast.copy_location(fdef.body[-1], body[-1])
    return fdef
