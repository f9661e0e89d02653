"""Functions defined inside the differentiated function, lifted so they can be differentiated alone.

`def layer(h): return np.tanh(W @ h)` inside `loss` reads `W`, a local of `loss`. It is lifted
to `def layer(h, *, W)`: calls from `loss` pass the current value of `W`, so the lifted function
sees exactly what the closure would. The original definition stays in the forward sweep, so
calls that need no gradient still use the real closure.
"""
import copy
import inspect
from dataclasses import dataclass, field

import gast

from srcgrad import syntax
from srcgrad.frontend.parse import Source


class NestedDef:
    """Stands in the outer function's body where a nested `def` was (the forward sweep puts it back)."""

    def __init__(self, fdef: gast.FunctionDef):
        self.fdef = fdef

    def __repr__(self) -> str:
        return f"<nested def {self.fdef.name}>"


@dataclass(eq=False)
class LocalFunction:
    """A nested function, lifted: its own tree plus the outer locals it reads, as keyword-only parameters."""

    name: str
    source: Source  # the lifted tree, with the outer function's file, namespace and line offset
    free: tuple[str, ...]
    siblings: dict[str, "LocalFunction"] = field(default_factory=dict)
    __signature__: inspect.Signature | None = None
    __name__: str = ""

    def __call__(self, *args, **kwargs):  # only its signature is ever used
        raise TypeError(f"{self.name} is a nested function being compiled")


def _params(fdef: gast.FunctionDef) -> list[str]:
    a = fdef.args
    names = [p.id for p in a.posonlyargs + a.args + a.kwonlyargs]
    return names + [p.id for p in (a.vararg, a.kwarg) if p is not None]


def _signature(fdef: gast.FunctionDef) -> inspect.Signature:
    a = fdef.args
    params = []
    positional = a.posonlyargs + a.args
    first_default = len(positional) - len(a.defaults)
    for i, p in enumerate(positional):
        kind = inspect.Parameter.POSITIONAL_ONLY if i < len(a.posonlyargs) else inspect.Parameter.POSITIONAL_OR_KEYWORD
        default = a.defaults[i - first_default] if i >= first_default else inspect.Parameter.empty
        params.append(inspect.Parameter(p.id, kind, default=default))
    for p, d in zip(a.kwonlyargs, a.kw_defaults, strict=True):
        params.append(inspect.Parameter(p.id, inspect.Parameter.KEYWORD_ONLY,
                                        default=inspect.Parameter.empty if d is None else d))
    return inspect.Signature(params)


def _lambda_def(name: str, lam: gast.Lambda, origin: gast.AST) -> gast.FunctionDef:
    body = [gast.copy_location(gast.Return(value=lam.body), origin)]
    fdef = gast.FunctionDef(name=name, args=lam.args, body=body, decorator_list=[], returns=None,
                            type_comment=None, type_params=[])
    return gast.copy_location(fdef, origin)


class _Lambdas(gast.NodeTransformer):
    """Lambdas in one statement become defs placed before it (not those inside comprehensions, whose
    variables they may read)."""

    def __init__(self, taken: set[str], origin: gast.stmt):
        self.taken, self.origin, self.defs = taken, origin, []

    def fresh(self) -> str:
        k = 1
        while f"_lambda{k}" in self.taken:
            k += 1
        self.taken.add(f"_lambda{k}")
        return f"_lambda{k}"

    def visit_Lambda(self, node: gast.Lambda):  # its body stays: a lambda inside it may read its parameters
        name = self.fresh()
        self.defs.append(_lambda_def(name, node, self.origin))
        return gast.copy_location(syntax.name(name), node)

    def visit_ListComp(self, node):
        return node

    visit_GeneratorExp = visit_SetComp = visit_DictComp = visit_ListComp


def lambdas_to_defs(stmts: list[gast.stmt], taken: set[str]) -> list[gast.stmt]:
    """`f = lambda x: e` becomes `def f(x): return e`; any other lambda a def of a fresh name before its statement."""
    out: list[gast.stmt] = []
    for stmt in stmts:
        if isinstance(stmt, gast.FunctionDef):
            out.append(stmt)
            continue
        for field in ("body", "orelse"):
            if isinstance(getattr(stmt, field, None), list):
                setattr(stmt, field, lambdas_to_defs(getattr(stmt, field), taken))
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name) \
                and isinstance(stmt.value, gast.Lambda):
            out.append(_lambda_def(stmt.targets[0].id, stmt.value, stmt))
            continue
        hoist = _Lambdas(taken, stmt)
        syntax.visit_own_fields(stmt, hoist)
        out.extend(hoist.defs)
        out.append(stmt)
    return out


def lift_nested(source: Source, outer_locals: set[str]) -> dict[str, LocalFunction]:
    """Replace each nested def in `source.tree` by a `NestedDef` marker; return the lifted functions."""
    found: list[gast.FunctionDef] = []
    source.tree.body = lambdas_to_defs(source.tree.body, syntax.all_names(source.tree))

    def strip(stmts: list[gast.stmt]) -> list[gast.stmt]:
        out = []
        for stmt in stmts:
            if isinstance(stmt, gast.FunctionDef):
                found.append(stmt)
                out.append(gast.copy_location(gast.Expr(value=gast.Constant(value=NestedDef(stmt), kind=None)), stmt))
                continue
            for name in ("body", "orelse"):
                if isinstance(getattr(stmt, name, None), list):
                    setattr(stmt, name, strip(getattr(stmt, name)))
            out.append(stmt)
        return out

    source.tree.body = strip(source.tree.body)
    if not found:
        return {}
    names = {f.name for f in found}
    direct: dict[str, set[str]] = {}
    for fdef in found:
        own = set(_params(fdef)) | syntax.names_stored(fdef)
        direct[fdef.name] = (syntax.names_loaded(fdef) - own) & (outer_locals | names)
    free: dict[str, set[str]] = {n: set(v) for n, v in direct.items()}
    changed = True
    while changed:  # a nested function calling a sibling also needs the sibling's free variables
        changed = False
        for n in names:
            extra = set().union(*(free[s] for s in free[n] & names)) - free[n] - {n}
            if extra:
                free[n] |= extra
                changed = True
    lifted: dict[str, LocalFunction] = {}
    for fdef in found:
        extra = sorted(free[fdef.name] - names)
        tree = copy.deepcopy(fdef)
        tree.decorator_list = []
        tree.args.kwonlyargs += [syntax.name(v, gast.Param) for v in extra]
        tree.args.kw_defaults += [None] * len(extra)
        lifted_source = Source(source.func, tree, source.filename, source.line_offset, source.closure, source.depth)
        lifted[fdef.name] = LocalFunction(fdef.name, lifted_source, tuple(extra),
                                          __signature__=_signature(fdef), __name__=fdef.name)
    for fn in lifted.values():
        fn.siblings = lifted
    return lifted
