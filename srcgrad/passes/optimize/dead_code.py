"""Drop assignments whose target is never read, when computing the value has no effect.

Adjoint templates write every argument's adjoint; when an argument's adjoint is never used
afterwards (for example the old value of an argument outside `wrt` that was overwritten),
the assignment is dead.

>>> from srcgrad.passes.normalize.testing import show
>>> show(drop_dead_code, '''
... def g(a, b):
...     d_a = unbroadcast(d_t * b, a)
...     d_b = unbroadcast(d_t * a, b)
...     return d_b
... ''')
def g(a, b):
    d_b = unbroadcast(d_t * a, b)
    return d_b
"""
import gast

from srcgrad import syntax

# calls in generated code that only compute a value (runtime helpers, NumPy math)
PURE_CALLS = frozenset({
    "unbroadcast", "unreduce", "count", "select_adjoint", "matmul_adjoint_left", "matmul_adjoint_right",
    "item_adjoint", "part_adjoint", "repeat_adjoint", "sequence_adjoint", "dict_entry_adjoint", "zeros_like", "balanced_eq", "index_grad", "take_adjoint", "sum_adjoint", "cast_like",
    "inverse_axes", "unstack", "split_like", "prod_adjoint", "cumsum_adjoint", "dot_adjoint_left",
    "dot_adjoint_right", "norm_adjoint",
})
PURE_MODULE_CALLS = frozenset({"np", "math"})


def _pure(expr: gast.expr) -> bool:
    for node in gast.walk(expr):
        if isinstance(node, gast.Call):
            func = node.func
            if isinstance(func, gast.Name) and func.id in PURE_CALLS:
                continue
            if isinstance(func, gast.Attribute) and isinstance(func.value, gast.Name) \
                    and func.value.id in PURE_MODULE_CALLS:
                continue
            return False
        if isinstance(node, (gast.Yield, gast.Await, gast.NamedExpr)):
            return False
    return True


def _removable(stmt: gast.stmt, loads: set[str], augmented: set[str], candidates: set[str]) -> bool:
    """A pure assignment to a candidate nothing reads (an in-place `d += e` does not count as a read)."""
    if isinstance(stmt, gast.AugAssign):
        target = stmt.target
        return isinstance(target, gast.Name) and target.id in candidates and target.id not in loads \
            and _pure(stmt.value)
    return (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
            and stmt.targets[0].id in candidates and stmt.targets[0].id not in loads | augmented
            and _pure(stmt.value))


def _sweep(stmts: list[gast.stmt], loads: set[str], augmented: set[str],
           candidates: set[str]) -> tuple[list[gast.stmt], bool]:
    out, changed = [], False
    for stmt in stmts:
        if _removable(stmt, loads, augmented, candidates):
            changed = True
            continue
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list) and block:
                new, sub = _sweep(block, loads, augmented, candidates)
                setattr(stmt, field, new or ([gast.Pass()] if field == "body" else []))
                changed |= sub
        out.append(stmt)
    return out, changed


def _drop_overwritten(stmts: list[gast.stmt], candidates: set[str]) -> list[gast.stmt]:
    """In one straight-line block, drop pure assignments whose value is overwritten before any read.

    Compound statements count as reading every name they mention, so this stays conservative.
    """
    live: set[str] = set()
    kept: list[gast.stmt] = []
    for stmt in reversed(stmts):
        if isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name):
            name = stmt.targets[0].id
            if name in candidates and name not in live and _pure(stmt.value):
                continue
            live.discard(name)
            live |= syntax.names_loaded(stmt.value)
        elif isinstance(stmt, gast.AugAssign) and isinstance(stmt.target, gast.Name):
            if stmt.target.id in candidates and stmt.target.id not in live and _pure(stmt.value):
                continue
            live |= syntax.names_loaded(stmt.value) | {stmt.target.id}
        else:
            live |= syntax.all_names(stmt)
        kept.append(stmt)
    return kept[::-1]


def drop_dead_code(fdef: gast.FunctionDef, candidates: set[str] | None = None) -> gast.FunctionDef:
    """Remove pure assignments to names (among `candidates`, default all) that nothing reads."""
    if candidates is None:
        candidates = syntax.names_stored(fdef)
    fdef.body = _drop_overwritten(fdef.body, candidates)
    changed = True
    while changed:
        loads = syntax.names_loaded(fdef)
        augmented = {n.target.id for n in gast.walk(fdef)
                     if isinstance(n, gast.AugAssign) and isinstance(n.target, gast.Name)}
        fdef.body, changed = _sweep(fdef.body, loads, augmented, candidates)
    return fdef
