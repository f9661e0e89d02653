"""Copy propagation: after `a = b`, read `b` where `a` was read, and drop the copy.

Adjoint templates of additions and copies produce `d_t1 = d_x`; uses of `d_t1` can read
`d_x` directly as long as neither name is assigned again before them.

>>> from srcgrad.passes.normalize.testing import show
>>> show(lambda f: propagate_copies(f, {'d_t1', 'd_t3'}), '''
... def g(d_x, a, b):
...     d_t1 = d_x
...     d_t3 = d_x
...     d_b = d_t3 * a
...     d_x = d_b * 2.0
...     d_a = d_t1 * b
...     return d_a, d_b
... ''')
def g(d_x, a, b):
    d_t1 = d_x
    d_b = d_x * a
    d_x = d_b * 2.0
    d_a = d_t1 * b
    return (d_a, d_b)
"""
import bisect

import gast

from srcgrad import syntax


class _Replace(gast.NodeTransformer):
    def __init__(self, old: str, new: str):
        self.old, self.new = old, new

    def visit_Name(self, node: gast.Name):
        if node.id == self.old and isinstance(node.ctx, gast.Load):
            return gast.Name(id=self.new, ctx=node.ctx, annotation=None, type_comment=None)
        return node


def _loads(node: gast.AST, name: str) -> int:
    return sum(1 for n in gast.walk(node) if isinstance(n, gast.Name) and n.id == name and isinstance(n.ctx, gast.Load))


def _block(stmts: list[gast.stmt], candidates: set[str], counts: dict[str, int],
           loads: dict[str, int]) -> list[gast.stmt]:
    for stmt in stmts:
        for field in ("body", "orelse"):
            block = getattr(stmt, field, None)
            if isinstance(block, list):
                inner = _block(block, candidates, counts, loads)
                setattr(stmt, field, inner or ([gast.Pass()] if field == "body" else []))
    stmts = list(stmts)
    # where each name is read and written, by statement position (kept sorted; positions never shift)
    read_at: dict[str, list[int]] = {}
    written_at: dict[str, list[int]] = {}
    for k, stmt in enumerate(stmts):
        for name in syntax.names_loaded(stmt):
            read_at.setdefault(name, []).append(k)
        for name in syntax.names_stored(stmt):
            written_at.setdefault(name, []).append(k)
    removed: set[int] = set()
    for i, stmt in enumerate(stmts):
        if not (isinstance(stmt, gast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], gast.Name)
                and isinstance(stmt.value, gast.Name) and stmt.targets[0].id in candidates
                and counts.get(stmt.targets[0].id, 0) == 1):
            continue
        copy, source = stmt.targets[0].id, stmt.value.id
        uses = [k for k in read_at.get(copy, ()) if k > i and k not in removed]
        if sum(_loads(stmts[k], copy) for k in uses) != loads.get(copy, 0):
            continue  # read somewhere else too (another block): keep the copy
        overwritten = next((k for k in written_at.get(source, ()) if k > i and k not in removed), None)
        last_use = uses[-1] if uses else -1
        # every use must come before `source` changes (a use in the statement that changes it is fine)
        if overwritten is None or last_use <= overwritten and not (
                last_use == overwritten and not isinstance(stmts[last_use], gast.Assign)):
            for k in uses:
                stmts[k] = _Replace(copy, source).visit(stmts[k])
                positions = read_at.setdefault(source, [])
                if k not in positions:
                    bisect.insort(positions, k)
            loads[source] = loads.get(source, 0) + loads.get(copy, 0)
            loads[copy] = 0
            removed.add(i)
    return [stmt for k, stmt in enumerate(stmts) if k not in removed]


def propagate_copies(fdef: gast.FunctionDef, candidates: set[str]) -> gast.FunctionDef:
    """Replace reads of single-assignment copies (among `candidates`) by their source."""
    counts: dict[str, int] = {}
    loads: dict[str, int] = {}
    for node in gast.walk(fdef):
        if isinstance(node, gast.Name):
            table = counts if isinstance(node.ctx, gast.Store) else loads
            table[node.id] = table.get(node.id, 0) + 1
    fdef.body = _block(fdef.body, candidates, counts, loads)
    return fdef
