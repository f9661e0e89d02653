"""The tape, as the reverse sweep leaves it: marks where values may be saved and restored.

Generating the backward sweep first and only then deciding which marks become tape operations
lets the decision rest on what the backward sweep really reads: a variable it never reads is
never pushed, and one it reads only for its shape is pushed as `shape_of(x)` (no data).
"""
from typing import TYPE_CHECKING

import gast

from srcgrad import runtime, syntax
from srcgrad.runtime.arrays import count
from srcgrad.transforms.reverse.adjoint import index_value

if TYPE_CHECKING:
    from srcgrad.transforms.reverse.sweep import Reverse


class Mark(str):
    """A placeholder for a tape push or pop of the variable it names, decided after the backward sweep."""


class Push(Mark):
    pass


class Pop(Mark):
    pass


class PushItem(Mark):
    """Save `x[index]` before `x[index] = ...` overwrites it; `stmt` is that assignment."""
    stmt: gast.Assign


class PopItem(PushItem):
    pass


class Unappend(Mark):
    """Undo `x.append(v)` in the backward sweep, so x has the length it had before the append."""


class Repush(Mark):
    """Undo `v = x.pop()` in the backward sweep: put v back at the end of x."""


def mark(kind: type, var: str, stmt: gast.stmt | None = None) -> gast.Expr:
    mark = kind(var)
    mark.stmt = stmt
    return gast.Expr(value=gast.Constant(value=mark, kind=None))


def marked(stmt: gast.stmt) -> Mark | None:
    if isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) and isinstance(stmt.value.value, Mark):
        return stmt.value.value
    return None


def shape_reads_only(rev: "Reverse", backward: list[gast.stmt]) -> set[str]:
    """Variables the backward sweep reads only for their shape and dtype (unbroadcast(g, x), ...)."""
    positions = {runtime.unbroadcast: 1, runtime.unreduce: 1, count: 0, runtime.zeros_like: 0,
                 runtime.index_grad: 0, runtime.item_adjoint: 2, runtime.take_adjoint: 2}
    helper_position = {rev.ctx._refs[id(f)]: i for f, i in positions.items() if id(f) in rev.ctx._refs}
    shape_only: dict[str, bool] = {}
    for stmt in backward:
        shape_args = set()
        for node in gast.walk(stmt):
            if isinstance(node, gast.Call) and isinstance(node.func, gast.Name) \
                    and node.func.id in helper_position and len(node.args) > helper_position[node.func.id]:
                arg = node.args[helper_position[node.func.id]]
                if isinstance(arg, gast.Name):
                    shape_args.add(id(arg))
        for node in gast.walk(stmt):
            if isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load):
                shape_only[node.id] = shape_only.get(node.id, True) and id(node) in shape_args
    return {v for v, only in shape_only.items() if only}

def lower_tape_marks(rev: "Reverse", forward: list[gast.stmt], backward: list[gast.stmt]) -> tuple[list, list, bool]:
    """Turn push/pop marks into tape operations for the variables the backward sweep reads."""
    reads = set()
    for stmt in backward:
        reads |= syntax.names_loaded(stmt)
    shape_only = set() if rev.pure else shape_reads_only(rev, backward) - set(rev.params)
    # the backward sweep writes into these (an item put back, an append undone): it needs the objects themselves
    shape_only -= {str(m) for stmt in backward for n in gast.walk(stmt) if isinstance(n, gast.stmt)
                   for m in [marked(n)] if isinstance(m, (PopItem, Unappend, Repush))}
    tape = syntax.name(rev.tape)
    pushed: set[str] = set()

    def lower(stmts: list[gast.stmt]) -> list[gast.stmt]:
        out = []
        for stmt in stmts:
            mark = marked(stmt)
            if mark is None:
                for field in ("body", "orelse"):
                    if isinstance(getattr(stmt, field, None), list):
                        setattr(stmt, field, lower(getattr(stmt, field)) or
                                ([gast.Pass()] if field == "body" else []))
                out.append(stmt)
            elif (str(mark) in reads or id(mark.stmt) in rev.aliases.restore) and isinstance(mark, PushItem):
                target = mark.stmt.targets[0]
                index = index_value(target.slice)
                if isinstance(mark, PopItem) and rev.pure:
                    target = gast.Subscript(value=syntax.name(str(mark)), slice=syntax.clone(target.slice),
                                            ctx=gast.Store())
                    out.append(syntax.assign(target, syntax.call(syntax.attr(tape, "pop"))))
                elif isinstance(mark, PopItem):
                    out.append(syntax.expr_stmt(syntax.call(rev.helper("restore_item"), syntax.name(str(mark)),
                                                            index, syntax.call(syntax.attr(tape, "pop")))))
                else:
                    out.append(syntax.expr_stmt(syntax.call(syntax.attr(tape, "append"), syntax.call(
                        rev.helper("copy_item"), syntax.name(str(mark)), index))))
            elif (str(mark) in reads or id(mark.stmt) in rev.aliases.restore) and isinstance(mark, Unappend):
                undo = syntax.call(syntax.attr(syntax.name(str(mark)), "pop"))
                out.append(syntax.assign(rev.ctx.namer.numbered("_popped"), undo) if rev.pure
                           else syntax.expr_stmt(undo))
            elif str(mark) in reads and isinstance(mark, Repush):
                out.append(syntax.expr_stmt(syntax.call(syntax.attr(syntax.name(str(mark)), "append"),
                                                        syntax.name(mark.stmt.targets[0].id))))
            elif str(mark) in reads:
                pushed.add(str(mark))
                if isinstance(mark, Push):
                    saved = syntax.name(str(mark))
                    if str(mark) in shape_only:  # only its shape is needed: keep no data
                        saved = syntax.call(rev.helper("shape_of"), saved)
                    out.append(syntax.expr_stmt(syntax.call(syntax.attr(tape, "append"), saved)))
                else:
                    out.append(syntax.assign(str(mark), syntax.call(syntax.attr(tape, "pop"))))
        return out

    forward, backward = lower(forward), lower(backward)
    unbound = sorted((pushed & rev.nested_sites) - set(rev.params))
    forward = [syntax.assign(v, syntax.const(None)) for v in unbound] + forward
    uses_tape = any(isinstance(n, gast.Name) and n.id == rev.tape for s in forward for n in gast.walk(s))
    return forward, backward, uses_tape
