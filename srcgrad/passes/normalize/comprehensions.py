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
import gast

from srcgrad import syntax
from srcgrad.naming import Namer


class _Hoist(gast.NodeTransformer):
    """Replace comprehensions inside one statement by names, collecting the loops that build them."""

    def __init__(self, namer: Namer, origin: gast.stmt):
        self.namer = namer
        self.origin = origin
        self.pre: list[gast.stmt] = []

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
            inner = _Hoist(self.namer, self.origin)
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


def _block(stmts: list[gast.stmt], namer: Namer) -> list[gast.stmt]:
    out: list[gast.stmt] = []
    for stmt in stmts:
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, _block(getattr(stmt, field), namer))
        hoist = _Hoist(namer, stmt)
        for field, value in gast.iter_fields(stmt):
            if field in ("body", "orelse"):
                continue
            if isinstance(value, gast.AST):
                setattr(stmt, field, hoist.visit(value))
            elif isinstance(value, list):
                setattr(stmt, field, [hoist.visit(v) if isinstance(v, gast.AST) else v for v in value])
        out.extend(hoist.pre)
        out.append(stmt)
    return out


def expand_comprehensions(fdef: gast.FunctionDef, namer: Namer) -> gast.FunctionDef:
    """Rewrite every list comprehension and generator expression into a loop."""
    fdef.body = _block(fdef.body, namer)
    return fdef
