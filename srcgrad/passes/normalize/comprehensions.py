"""List comprehensions and generator expressions become loops that append to a fresh list.

The comprehension's variables are renamed so they cannot clobber the function's own names.

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> show(lambda t: expand_comprehensions(t, Namer({'f', 'xs', 'x', 'np'})), '''
... def f(xs):
...     return np.sum([x * x for x in xs if x > 0])
... ''')
def f(xs):
    _l1 = []
    for _x1 in xs:
        if _x1 > 0:
            _l1.append(_x1 * _x1)
    return np.sum(_l1)
"""
import builtins
import functools
from typing import Any, Callable

import gast

from srcgrad import syntax
from srcgrad.naming import Namer


class _Hoist(gast.NodeTransformer):
    """Replace comprehensions inside one statement by names, collecting the loops that build them."""

    def __init__(self, namer: Namer, origin: gast.stmt, lookup: Callable[[str], Any] | None = None):
        self.namer = namer
        self.origin = origin
        self.lookup = lookup or (lambda name: getattr(builtins, name, None))
        self.locals: set[str] = set()  # the function's own names (never `map` or `reduce` themselves)
        self.pre: list[gast.stmt] = []

    def _is(self, func: gast.expr, obj: Any) -> bool:
        """Whether a call's function is `obj` (`map`, `functools.reduce`), looked up as the user's code would."""
        chain = []
        while isinstance(func, gast.Attribute):
            chain.append(func.attr)
            func = func.value
        if not isinstance(func, gast.Name) or func.id in self.locals:
            return False
        value = self.lookup(func.id)
        for attr in reversed(chain):
            value = getattr(value, attr, None)
        return value is obj

    def visit_Call(self, node: gast.Call):
        """`map(f, xs, ...)` is `[f(x, ...) for x, ... in zip(xs, ...)]`; `reduce(f, xs, init)` a loop."""
        if self._is(node.func, builtins.map) and len(node.args) >= 2 and not node.keywords:
            names = [self.namer.numbered("_m") for _ in node.args[1:]]
            target = syntax.name(names[0], gast.Store) if len(names) == 1 else \
                gast.Tuple(elts=[syntax.name(n, gast.Store) for n in names], ctx=gast.Store())
            iterable = node.args[1] if len(names) == 1 else syntax.call("zip", *node.args[1:])
            element = gast.Call(func=node.args[0], args=[syntax.name(n) for n in names], keywords=[])
            return self.visit(gast.ListComp(elt=element, generators=[gast.comprehension(
                target=target, iter=iterable, ifs=[], is_async=0)]))
        if self._is(node.func, functools.reduce) and len(node.args) in (2, 3) and not node.keywords:
            self.generic_visit(node)
            function, iterable = node.args[:2]
            acc, item, each = self.namer.numbered("_acc"), self.namer.numbered("_m"), self.namer.numbered("_m")
            # the items in a list, built by a loop (which knows zip, enumerate, arrays): `[e for e in iterable]`
            items = self.visit(gast.ListComp(elt=syntax.name(each), generators=[gast.comprehension(
                target=syntax.name(each, gast.Store), iter=iterable, ifs=[], is_async=0)]))
            pre = []
            if len(node.args) == 3:
                pre.append(syntax.assign(acc, node.args[2]))
                rest = syntax.clone(items)
            else:
                pre.append(syntax.assign(acc, gast.Subscript(value=syntax.clone(items), slice=syntax.const(0),
                                                             ctx=gast.Load())))
                rest = gast.Subscript(value=syntax.clone(items), slice=gast.Slice(lower=syntax.const(1), upper=None,
                                                                                 step=None), ctx=gast.Load())
            step = syntax.assign(acc, gast.Call(func=function, args=[syntax.name(acc), syntax.name(item)], keywords=[]))
            pre.append(gast.For(target=syntax.name(item, gast.Store), iter=rest, body=[step], orelse=[],
                                type_comment=None))
            for stmt in pre:
                for sub in gast.walk(stmt):
                    if isinstance(sub, (gast.stmt, gast.expr)):
                        gast.copy_location(sub, self.origin)
            self.pre.extend(pre)
            return syntax.name(acc)
        self.generic_visit(node)
        return node

    def visit_ListComp(self, node):
        return self.expand(node)

    def visit_GeneratorExp(self, node):
        return self.expand(node)

    def expand(self, node: gast.ListComp | gast.GeneratorExp) -> gast.Name:
        result = self.namer.numbered("_l")
        renames: dict[str, str] = {}
        for gen in node.generators:
            for target in syntax.names_stored(gen.target):
                renames[target] = self.namer.numbered(f"_{target.strip('_') or 'v'}")
        rename = syntax.Rename(renames)

        def hoisted(expr: gast.expr) -> tuple[list[gast.stmt], gast.expr]:
            """`expr` with the comprehensions inside it expanded, where the loops around it are defined."""
            inner = _Hoist(self.namer, self.origin, self.lookup)
            inner.locals = self.locals
            value = inner.visit(rename.visit(expr))
            return inner.pre, value

        def loops(k: int) -> list[gast.stmt]:
            if k == len(node.generators):
                pre, elt = hoisted(node.elt)
                return pre + [syntax.expr_stmt(syntax.call(syntax.attr(result, "append"), elt))]
            gen = node.generators[k]
            body = loops(k + 1)
            for cond in reversed(gen.ifs):
                pre, test = hoisted(cond)
                body = pre + [gast.If(test=test, body=body, orelse=[])]
            pre, iterable = hoisted(gen.iter)
            return pre + [gast.For(target=rename.visit(gen.target), iter=iterable, body=body, orelse=[],
                                   type_comment=None)]

        init = syntax.assign(result, gast.List(elts=[], ctx=gast.Load()))
        body = loops(0)
        for stmt in [init] + body:
            for sub in gast.walk(stmt):
                if isinstance(sub, (gast.stmt, gast.expr)):
                    gast.copy_location(sub, self.origin)
        self.pre.extend([init] + body)
        return syntax.name(result)


def _block(stmts: list[gast.stmt], namer: Namer, lookup, local_names: set[str]) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _block(getattr(stmt, field), namer, lookup, local_names))
        hoist = _Hoist(namer, stmt, lookup)
        hoist.locals = local_names
        syntax.visit_own_fields(stmt, hoist)
        out.extend(hoist.pre)
        out.append(stmt)
    return out


def expand_comprehensions(fdef: gast.FunctionDef, namer: Namer,
                          lookup: Callable[[str], Any] | None = None) -> gast.FunctionDef:
    """Rewrite every list comprehension and generator expression into a loop (and `map`, `functools.reduce`:
    `lookup` finds what a global name is, so the user's own `map` is left alone)."""
    fdef.body = _block(fdef.body, namer, lookup, syntax.names_stored(fdef) | {a.id for a in fdef.args.args})
    return fdef
