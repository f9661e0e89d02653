"""Forward mode for one function: the user's normalized code with a tangent beside each statement.

Every varied variable `x` gets a tangent `t_x` that is assigned together with `x`, so `t_x` is
bound and current wherever `x` is: branches and loops need no merging and no tape, and a
variable that does not vary has a symbolic zero tangent that rules fold away. The one thing
tracked along the way is whether a tangent is OWNED (an array only it refers to, or one aliased
exactly as its primal is) or SHARED (it may be another variable's tangent or a read-only
broadcast): `x[i] = v` writes into `t_x` in place, after copying a shared one.

The function comes out as `f_jvp(*params, *tangents of the active params) -> (value, tangent)`.
"""
from typing import Any

import gast

from srcgrad import syntax
from srcgrad.errors import InternalError
from srcgrad.frontend.nested import NestedDef

from srcgrad.passes.analyses.activity import is_append, is_pop, reads_varied
from srcgrad.passes.analyses.aliasing import check_aliasing, guard_statement
from srcgrad.passes.analyses.sequences import sequence_names
from srcgrad.passes.manager import Context
from srcgrad.rules.tangents import helpers
from srcgrad.rules.tangents import runtime as runtime_tangents
from srcgrad.runtime import check_unshared, restore_item
from srcgrad.transforms.forward.tangents import OWNED, SHARED, StatementTangent


def tangent_name(namer, var: str) -> str:
    return namer.fresh(f"t{var}" if var.startswith("_") else f"t_{var}")


def _merge(a: dict[str, str], b: dict[str, str]) -> dict[str, str]:
    out = dict(a)
    for var, state in b.items():
        out[var] = state if var not in a or a[var] == state else SHARED
    return out


class Forward:
    """Builds the forward-mode function for one normalized FunctionDef."""

    def __init__(self, ctx: Context, fdef: gast.FunctionDef, varied: set[str], resolved: dict,
                 numbers: set[str], jvp_of, differentiable=None):
        self.ctx = ctx
        self.fdef = fdef
        self.varied = varied
        self.resolved = resolved
        self.numbers = numbers  # variables that always hold Python numbers
        self.aliases = check_aliasing(ctx, fdef, varied, resolved, numbers)
        # variables that always hold lists or tuples
        self.sequences = sequence_names(fdef, lambda call: resolved[id(call)].obj if id(call) in resolved else None,
                                        numbers, generated=ctx.source.generated)
        self.jvp_of = jvp_of  # (callee, active, origin, known) -> its forward-mode function
        if differentiable is not None:  # which calls propagate variation (as the activity analysis decided)
            self.differentiable = differentiable
        self.implicit = {name: fn.free for name, fn in ctx.local_functions.items()}
        self.names: dict[str, str] = {}  # variable -> its tangent's name
        self.state: dict[str, str] = {}  # variable -> OWNED | SHARED, for tangents assigned so far
        self._last_line: int | None = None

    def differentiable(self, call: gast.Call) -> bool:
        return id(call) not in self.resolved or self.resolved[id(call)].kind != "nondiff"

    def tangent_name(self, var: str) -> str:
        if var not in self.names:
            self.names[var] = tangent_name(self.ctx.namer, var)
        return self.names[var]

    def tangent_ref(self, var: str) -> gast.Name:
        return syntax.name(self.tangent_name(var))

    def helper(self, name: str) -> gast.Name:
        node = self.ctx.ref(getattr(helpers, name), name)
        node.obj = getattr(helpers, name)
        return node

    def zero_of(self, node: gast.expr) -> gast.expr:
        """A real zero tangent for the value of `node`."""
        if isinstance(node, gast.Constant) and (node.value is None or isinstance(node.value, str)):
            return syntax.const(None)
        if isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in self.numbers):
            return syntax.const(0.0)
        return syntax.call(self.helper("zeros_tangent"), syntax.clone(node))

    # -- statements ---------------------------------------------------------------------------

    def comment_for(self, stmt: gast.stmt, out: list[gast.stmt]) -> None:
        line = getattr(stmt, "lineno", None)
        if line is None or line == self._last_line:
            return
        self._last_line = line
        out.append(self.ctx.line_comment(stmt, "tangent of"))

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in stmts:
            if isinstance(stmt, gast.Return):
                continue
            for guard in self.aliases.checks(stmt):
                out.append(guard_statement(self.ctx, guard))
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and is_pop(stmt.value):
                self.comment_for(stmt, out)
                out.extend(self.pop(stmt))
            elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                self.comment_for(stmt, out)
                out.extend(StatementTangent(self, stmt).build())
            elif isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript) \
                    and isinstance(stmt.targets[0].value, gast.Name):
                self.comment_for(stmt, out)
                out.extend(self.setitem(stmt))
            elif isinstance(stmt, gast.Expr) and is_append(stmt):
                self.comment_for(stmt, out)
                out.extend(self.append(stmt))
            elif isinstance(stmt, gast.Expr) and is_pop(stmt.value):
                out.extend(self.pop(stmt))
            elif isinstance(stmt, gast.Expr) and self.mutation(stmt.value) is not None:
                self.comment_for(stmt, out)
                out.extend(self.mutate(stmt))
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) \
                    and isinstance(stmt.value.value, NestedDef):
                out.append(syntax.clone(stmt.value.value.fdef))
            elif isinstance(stmt, gast.If):
                self.comment_for(stmt, out)
                out.append(self.branch(stmt))
            elif isinstance(stmt, (gast.For, gast.While)):
                self.comment_for(stmt, out)
                out.extend(self.loop(stmt))
            else:
                out.append(stmt)
        return out

    def setitem(self, stmt: gast.Assign) -> list[gast.stmt]:
        """`x[i] = v`: `t_x[i] = t_v`, written first so that the index means what it means to the primal."""
        target = stmt.targets[0]
        var = target.value.id
        if var not in self.varied:
            return [stmt]
        out: list[gast.stmt] = []
        value = stmt.value
        if isinstance(value, gast.Name) and value.id in self.varied:
            tangent = self.tangent_ref(value.id)
        elif isinstance(value, (gast.Name, gast.Constant)):
            tangent = self.zero_of(value)
        else:  # an expression that cannot vary: evaluate it once
            temp = self.ctx.namer.numbered("_a")
            out.append(gast.copy_location(syntax.assign(temp, value), stmt))
            stmt = gast.copy_location(syntax.assign(syntax.clone(target), syntax.name(temp)), stmt)
            tangent = self.zero_of(syntax.name(temp))
        if self.state.get(var, SHARED) != OWNED:
            out.append(syntax.assign(self.tangent_name(var), syntax.call(
                self.helper("own_tangent"), self.tangent_ref(var), syntax.name(var))))
            self.state[var] = OWNED
        store = gast.Subscript(value=self.tangent_ref(var), slice=syntax.clone(target.slice), ctx=gast.Store())
        out.append(syntax.assign(store, tangent))
        out.append(stmt)
        return out

    def append(self, stmt: gast.Expr) -> list[gast.stmt]:
        """`xs.append(v)`: `t_xs.append(t_v)`, keeping the tangent list parallel to the list."""
        var = stmt.value.func.value.id
        if var not in self.varied:
            return [stmt]
        value = stmt.value.args[0]
        out: list[gast.stmt] = []
        if not isinstance(value, (gast.Name, gast.Constant)) and reads_varied(value, self.varied, self.differentiable,
                                                                             self.implicit):
            # `xs.append(copy_item(buf, i))`: the value through a temporary with its own tangent
            temp = self.ctx.namer.numbered("_a")
            self.varied.add(temp)
            out.extend(StatementTangent(self, gast.copy_location(syntax.assign(temp, value), stmt)).build())
            stmt = gast.copy_location(syntax.expr_stmt(syntax.call(syntax.clone(stmt.value.func), syntax.name(temp))),
                                      stmt)
            value = syntax.name(temp)
        if isinstance(value, gast.Name) and value.id in self.varied:
            tangent = self.tangent_ref(value.id)
        elif isinstance(value, (gast.Tuple, gast.List)):
            # a record of saved values (`_tape.append((a, b))`): a record of their tangents
            tangent = type(value)(elts=[self.tangent_ref(e.id) if isinstance(e, gast.Name) and e.id in self.varied
                                        else self.lazy_zero(e) for e in value.elts], ctx=gast.Load())
        elif not isinstance(value, (gast.Name, gast.Constant)):
            tangent = self.lazy_zero(gast.Subscript(value=syntax.name(var), slice=syntax.const(-1), ctx=gast.Load()))
        elif isinstance(value, gast.Name):
            tangent = self.lazy_zero(value)
        else:
            tangent = self.zero_of(gast.Subscript(value=syntax.name(var), slice=syntax.const(-1), ctx=gast.Load())
                                   if not isinstance(value, (gast.Name, gast.Constant)) else value)
        return out + [stmt, syntax.expr_stmt(syntax.call(syntax.attr(self.tangent_ref(var), "append"), tangent))]

    def lazy_zero(self, node: gast.expr) -> gast.expr:
        """A zero tangent that holds no data (a zero-stride array): for values saved on a tape."""
        if isinstance(node, gast.Constant) or (isinstance(node, gast.Name) and node.id in self.numbers):
            return self.zero_of(node)
        return syntax.call(self.helper("lazy_zero"), syntax.clone(node))

    def pop(self, stmt: gast.Assign | gast.Expr) -> list[gast.stmt]:
        """`v = xs.pop()`: `t_v = t_xs.pop()`, keeping the tangent list parallel to the list.

        A pop that restores a value which does not vary still pops the tangent list; a varied
        value restored from a list that does not vary (it only ever held shapes) gets a zero.
        """
        call = stmt.value
        var = call.func.value.id
        target = stmt.targets[0].id if isinstance(stmt, gast.Assign) else None
        undo = syntax.call(syntax.attr(self.tangent_ref(var), "pop"))
        if target is not None and target in self.varied:
            self.state[target] = SHARED
            tangent = undo if var in self.varied else self.lazy_zero(syntax.name(target))
            return [stmt, syntax.assign(self.tangent_name(target), tangent)]
        return [stmt, syntax.expr_stmt(undo)] if var in self.varied else [stmt]

    def mutation(self, call: gast.expr) -> Any:
        """The runtime helper an expression statement calls to write into its first argument, if any."""
        if not (isinstance(call, gast.Call) and call.args and isinstance(call.args[0], gast.Name)):
            return None
        resolved = self.resolved.get(id(call))
        obj = getattr(resolved, "obj", None)
        try:
            return obj if obj in runtime_tangents.IN_PLACE or obj is restore_item else None
        except TypeError:
            return None

    def mutate(self, stmt: gast.Expr) -> list[gast.stmt]:
        """`index_add_inplace(acc, x, i, g)` and `restore_item(x, i, old)`: the same write into the tangent."""
        call = stmt.value
        obj = self.mutation(call)
        var = call.args[0].id
        out: list[gast.stmt] = []
        args = list(call.args)
        if obj is restore_item:
            old = args[2]
            if isinstance(old, gast.Call) and is_pop(old):  # `restore_item(x, i, _tape.pop())`
                temp = self.ctx.namer.numbered("_a")
                if var in self.varied:
                    self.varied.add(temp)
                out.extend(self.pop(gast.copy_location(syntax.assign(temp, old), stmt)))
                args[2] = syntax.name(temp)
                stmt = gast.copy_location(syntax.expr_stmt(syntax.call(syntax.clone(call.func), *args)), stmt)
            if var not in self.varied:
                return out + [stmt]
            out.extend(self.own(var))
            old = args[2]
            t_old = self.tangent_ref(old.id) if isinstance(old, gast.Name) and old.id in self.varied \
                else self.zero_of(old)
            out.append(syntax.expr_stmt(syntax.call(syntax.clone(call.func), self.tangent_ref(var),
                                                    syntax.clone(args[1]), t_old)))
            return out + [stmt]
        if var not in self.varied:
            return [stmt]
        # index_add_inplace(acc, x, index, g) / clear_adjoint_inplace(g, index): the primal's write, on t_acc
        tangent = StatementTangent(self, gast.copy_location(syntax.assign(var, call), stmt))
        return [self.own_inplace(s, var) for s in tangent.build()]

    def own(self, var: str) -> list[gast.stmt]:
        if self.state.get(var, SHARED) == OWNED:
            return []
        self.state[var] = OWNED
        return [syntax.assign(self.tangent_name(var), syntax.call(self.helper("own_tangent"), self.tangent_ref(var),
                                                                   syntax.name(var)))]

    def own_inplace(self, stmt: gast.stmt, var: str) -> gast.stmt:
        """`acc = f(acc, ...)`, built to reuse the assignment's tangent, back to the statement `f(acc, ...)`."""
        if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name) and stmt.targets[0].id == var:
            return gast.copy_location(syntax.expr_stmt(stmt.value), stmt)
        return stmt

    def inplace_call(self, obj: Any) -> gast.Name:
        """A reference to the in-place helper `obj` (which writes into an OWNED tangent)."""
        node = self.ctx.ref(obj, obj.__name__)
        node.obj = obj
        return node

    def branch(self, stmt: gast.If) -> gast.If:
        entry = dict(self.state)
        body = self.block(stmt.body)
        after_body = self.state
        self.state = dict(entry)
        orelse = self.block(stmt.orelse)
        self.state = _merge(after_body, self.state)
        return gast.copy_location(gast.If(test=stmt.test, body=body or [gast.Pass()], orelse=orelse), stmt)

    def loop(self, stmt: gast.For | gast.While) -> list[gast.stmt]:
        """The body once, with tangent states at its entry analyzed to a fixed point over iterations."""
        if isinstance(stmt, gast.For) and syntax.names_stored(stmt.target) & self.varied:
            from srcgrad.errors import UnsupportedSyntaxError

            raise UnsupportedSyntaxError("forward mode cannot iterate over a varied value here",
                                         self.ctx.source.origin(stmt))
        before = dict(self.state)
        entry = before
        last_line = self._last_line
        # states only move up a lattice of height 2 per variable, so this ends within 2 * len(names) + 1 rounds
        rounds = 2 * len(syntax.all_names(stmt) | set(entry)) + 2
        for _ in range(rounds):
            saved = self.ctx.namer.checkpoint()
            self.state, self._last_line = dict(entry), last_line
            body = self.block(stmt.body)
            grown = _merge(entry, self.state)
            if grown == entry:
                break
            self.ctx.namer.rollback(saved, keep=set(self.names.values()) | set(self.ctx._refs.values()))
            entry = grown
        else:
            raise InternalError("the tangent states of a loop did not reach a fixed point",
                                self.ctx.source.origin(stmt))
        self.state = _merge(before, self.state)
        if isinstance(stmt, gast.For):
            new = gast.For(target=stmt.target, iter=stmt.iter, body=body or [gast.Pass()], orelse=[],
                           type_comment=None)
        else:
            new = gast.While(test=stmt.test, body=body or [gast.Pass()], orelse=[])
        return [gast.copy_location(new, stmt)]

    # -- the function -------------------------------------------------------------------------

    def function(self, name: str, active: tuple[str, ...]) -> gast.FunctionDef:
        """`name(*params, *tangents of active) -> (value, tangent of value)`."""
        a = self.fdef.args
        # every parameter by position, in the signature's order (a caller passes BoundArguments' values: *args as a
        # tuple, **kwargs as a dict)
        params = [p.id for p in a.posonlyargs + a.args + ([a.vararg] if a.vararg else []) + a.kwonlyargs
                  + ([a.kwarg] if a.kwarg else [])]
        body: list[gast.stmt] = []
        if self.aliases.mutated_params:  # see Reverse._check_arguments
            check = syntax.call(self.ctx.ref(check_unshared, "check_unshared"),
                                gast.Tuple(elts=[syntax.const(p) for p in self.aliases.mutated_params], ctx=gast.Load()),
                                gast.Tuple(elts=[syntax.const(p) for p in params], ctx=gast.Load()),
                                gast.Tuple(elts=[syntax.name(p) for p in params], ctx=gast.Load()))
            body.append(syntax.expr_stmt(check))
        for p in params:
            if p in self.varied and p not in active:  # reassigned from varied values later: starts at zero
                body.append(syntax.assign(self.tangent_name(p), self.zero_of(syntax.name(p))))
                self.state[p] = OWNED
        tangents = [self.tangent_name(p) for p in active]
        for p in active:
            self.state[p] = SHARED  # the caller's
        body.extend(self.block(self.fdef.body))
        result = self.fdef.body[-1].value if isinstance(self.fdef.body[-1], gast.Return) else syntax.const(None)
        if not isinstance(result, (gast.Name, gast.Constant)):
            value = self.ctx.namer.fresh("_value")
            body.append(syntax.assign(value, result))
            result = syntax.name(value)
        if isinstance(result, gast.Name) and result.id in self.varied:
            tangent = self.tangent_ref(result.id)
        else:
            tangent = self.zero_of(result)
        body.append(gast.Return(value=gast.Tuple(elts=[syntax.clone(result), tangent], ctx=gast.Load())))
        args = gast.arguments(args=[syntax.name(p, gast.Param) for p in params + tangents], posonlyargs=[],
                              vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                                type_comment=None, type_params=[])
