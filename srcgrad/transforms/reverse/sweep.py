"""Reverse mode for one function: the forward sweep, the tape, and the backward sweep.

The forward sweep is the user's normalized code. Before a statement overwrites a variable
whose old value the backward sweep reads, the old value is pushed on the tape; the backward
sweep pops it back right after that statement's adjoint, so every adjoint block sees exactly
the values its forward statement saw. Only such variables are pushed.

Two shapes come out: `joint` (one function: forward, then backward, returning the value and
the gradients) for the function the user differentiates, and `split` (`f_fwd` pushes what its
backward needs; `f_bwd` pops it) for functions it calls, so recursion and calls from loops work.
"""
from collections import Counter

import gast

from srcgrad import runtime, syntax
from srcgrad.errors import InternalError
from srcgrad.frontend.nested import NestedDef
from srcgrad.passes.analyses.activity import is_append, is_pop
from srcgrad.passes.analyses.aliasing import check_aliasing, guard_statement
from srcgrad.passes.analyses.sequences import sequence_names
from srcgrad.passes.manager import Context
from srcgrad.passes.optimize.copies import propagate_copies
from srcgrad.passes.optimize.dead_code import drop_dead_code
from srcgrad.transforms.reverse.accumulate import OWNED, SHARED, ZERO, Adjoints
from srcgrad.transforms.reverse.adjoint import StatementAdjoint, index_value
from srcgrad.transforms.reverse.tape import Pop, PopItem, Push, PushItem, Repush, Unappend, lower_tape_marks, mark


class Reverse:
    """Builds the reverse-mode functions for one normalized FunctionDef."""

    def __init__(self, ctx: Context, fdef: gast.FunctionDef, varied: set[str], resolved: dict,
                 numbers: set[str] = frozenset(), pure: bool = False):
        self.numbers = numbers  # variables that always hold Python numbers
        self.pure = pure  # generate code that is itself differentiable: no in-place updates
        self.ctx = ctx
        self.fdef = fdef
        self.varied = varied
        self.resolved = resolved
        self.adjoints = Adjoints(ctx.namer, pure=pure)
        self.tape = ctx.namer.fresh("_tape")
        self.split_calls: dict[int, gast.Name] = {}
        self.callee_checks: dict[int, gast.stmt] = {}  # id(stmt) -> a run-time check that goes before it
        args = fdef.args
        self.params = [a.id for a in args.posonlyargs + args.args + [args.vararg, args.kwarg] + args.kwonlyargs
                       if a is not None]
        self.aliases = check_aliasing(ctx, fdef, varied, resolved, numbers)
        self.push_sites = self._push_candidates()
        self.sequences = sequence_names(fdef, lambda call: resolved[id(call)].obj if id(call) in resolved else None,
                                        numbers, generated=ctx.source.generated)
        self.counters: dict[int, str] = {}  # id(While) -> its trip counter
        self.loop_depth: dict[int, int] = {}  # id(While) -> how many loops enclose it
        self._depth = 0
        self._compound_depth = 0  # branches and loops around the statement being transformed
        self.locals = set(self.params) | syntax.names_stored(fdef)  # the function's own variables
        self._last_line: int | None = None

    # -- runtime helpers the generated code calls ----------------------------------------------

    def helper(self, name: str) -> gast.Name:
        return self.ctx.ref(getattr(runtime, name), name)

    def helpers(self) -> dict[str, gast.Name]:
        return {n: self.helper(n) for n in ("index_grad", "index_add", "index_add_inplace", "expand")}

    # -- which definitions may need their old value saved ---------------------------------------

    def _push_candidates(self) -> set[int]:
        """Statements that overwrite a variable whose old value the backward sweep may read."""
        definitions = Counter(self.params)
        for node in gast.walk(self.fdef):
            if isinstance(node, gast.Assign):
                definitions.update(syntax.names_stored(node.targets[0]))
        seen: set[str] = set(self.params)
        sites: set[int] = set()
        self.nested_sites: set[str] = set()  # variables pushed inside a branch or loop, or maybe unbound there
        bound: set[str] = set(self.params)  # variables assigned outside every branch and loop so far

        def visit(stmts: list[gast.stmt], in_loop: bool, nested: bool) -> None:
            for stmt in stmts:
                if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Name):
                    var = stmt.targets[0].id
                    if in_loop or (var in seen and definitions[var] > 1):
                        sites.add(id(stmt))
                        if nested or var not in bound:  # may be unbound when pushed: give it a None first
                            self.nested_sites.add(var)
                    seen.add(var)
                    if not nested:
                        bound.add(var)
                elif isinstance(stmt, gast.If):
                    visit(stmt.body, in_loop, True)
                    visit(stmt.orelse, in_loop, True)
                elif isinstance(stmt, (gast.For, gast.While)):
                    visit(stmt.body, True, True)

        visit(self.fdef.body, False, False)
        return sites

    # -- backward sweep -----------------------------------------------------------------------

    def comment_for(self, stmt: gast.stmt, out: list[gast.stmt]) -> None:
        line = getattr(stmt, "lineno", None)
        if line is None or line == self._last_line:
            return
        self._last_line = line
        out.append(self.ctx.line_comment(stmt, "grad of"))

    def backward_block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in reversed(stmts):
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
                out.extend(self.backward_setitem(stmt))
            elif isinstance(stmt, gast.Assign):
                out.extend(self.backward_assign(stmt))
            elif isinstance(stmt, gast.Expr) and is_append(stmt):
                out.extend(self.backward_append(stmt))
            elif isinstance(stmt, gast.With):
                out.extend(self.backward_hook(stmt))
            elif isinstance(stmt, gast.If):
                out.extend(self.backward_if(stmt))
            elif isinstance(stmt, (gast.For, gast.While)):
                out.extend(self.backward_loop(stmt))
        return out

    def backward_assign(self, stmt: gast.Assign) -> list[gast.stmt]:
        if is_pop(stmt.value):
            return self.backward_pop(stmt)
        out: list[gast.stmt] = []
        var = stmt.targets[0].id
        pop = [mark(Pop, var)] if id(stmt) in self.push_sites else []
        if var not in self.varied or self.adjoints.is_zero(var):
            return pop
        uniform = var in self.adjoints.uniform
        if var in syntax.names_loaded(stmt.value):
            # `x = f(x)`: the template needs the old x (restored by the pop) and the new one (kept in a temp)
            incoming = syntax.name(self.ctx.namer.numbered("_d"))
            result = self.ctx.namer.numbered("_r")
            head = [syntax.assign(incoming.id, self.adjoints.ref(var)), syntax.assign(result, syntax.name(var))]
            self.adjoints.reset(var)
            body = StatementAdjoint(self, stmt, incoming, result, uniform).build()
            if result not in set().union(*(syntax.names_loaded(s) for s in body)):
                head.pop()
            if id(stmt) in self.split_calls:
                body = head + body  # the callee's backward pops its own tape entries first
            else:
                body, pop = head + pop + body, []
        else:
            incoming = self.adjoints.ref(var)
            self.adjoints.reset(var)
            body = StatementAdjoint(self, stmt, incoming, var, uniform).build()
        if body:
            self.comment_for(stmt, out)
            out.extend(body)
        return out + pop

    def expand_uniform(self, names: set[str], out: list[gast.stmt]) -> None:
        """Give every possibly-uniform adjoint among `names` its full array."""
        for var in sorted(names & self.adjoints.uniform):
            self.adjoints.expand(var, syntax.name(var), self.helper("expand"), out)

    def backward_setitem(self, stmt: gast.Assign) -> list[gast.stmt]:
        """`x[i] = v`: v gets x's adjoint at i, which then restarts from zero; x[i] gets its old value back."""
        target = stmt.targets[0]
        var = target.value.id
        out: list[gast.stmt] = []
        self.expand_uniform({var}, out)
        if var in self.varied and not self.adjoints.is_zero(var):
            index = index_value(target.slice)
            body: list[gast.stmt] = []
            adjoint = StatementAdjoint(self, stmt, self.adjoints.ref(var), var)
            if adjoint.node_varies(stmt.value):
                part = syntax.call(self.helper("take_adjoint"), self.adjoints.ref(var), index, syntax.clone(stmt.value),
                                   syntax.name(var))
                adjoint.write(stmt.value, part)
                body.extend(adjoint.out)
            if self.adjoints.state.get(var) == OWNED and not self.pure:
                body.append(syntax.expr_stmt(syntax.call(self.helper("clear_adjoint_inplace"), self.adjoints.ref(var),
                                                         syntax.clone(index), syntax.name(var))))
            else:
                body.append(syntax.assign(self.adjoints.name(var), syntax.call(
                    self.helper("clear_adjoint"), self.adjoints.ref(var), syntax.clone(index), syntax.name(var))))
                self.adjoints.state[var] = OWNED
            self.comment_for(stmt, out)
            out.extend(body)
        out.append(mark(PopItem, var, stmt))
        return out

    def backward_hook(self, stmt: gast.With) -> list[gast.stmt]:
        """`with insert_grad_of(x) as g: body` runs body on x's adjoint here, and keeps what it leaves in g."""
        item = stmt.items[0]
        var, alias = item.context_expr.args[0].id, item.optional_vars.id
        if var not in self.varied:
            return []
        out: list[gast.stmt] = []
        self.expand_uniform({var}, out)
        self.comment_for(stmt, out)
        if self.adjoints.is_zero(var):
            out.append(self._zero(var))
        out.append(syntax.assign(alias, self.adjoints.ref(var)))
        out.extend(syntax.clone(s) for s in stmt.body)
        out.append(syntax.assign(self.adjoints.name(var), syntax.name(alias)))
        self.adjoints.state[var] = SHARED
        return out

    def backward_pop(self, stmt: gast.Assign) -> list[gast.stmt]:
        """`v = xs.pop()`: v's adjoint goes to xs's last position; then v is put back on xs."""
        var = stmt.targets[0].id
        container = stmt.value.func.value.id
        out: list[gast.stmt] = []
        self.expand_uniform({var, container}, out)
        if var in self.varied and container in self.varied and not self.adjoints.is_zero(var):
            incoming = self.adjoints.ref(var)
            self.adjoints.reset(var)
            adjoint = StatementAdjoint(self, stmt, incoming, var)
            position = syntax.call(self.ctx.ref(len, "len"), syntax.name(container))
            adjoint.write_index(syntax.name(container), syntax.name(container), position, incoming)
            self.comment_for(stmt, out)
            out.extend(adjoint.out)
        else:
            self.adjoints.reset(var)
        out.append(mark(Repush, container, stmt))
        if id(stmt) in self.push_sites:
            out.append(mark(Pop, var))
        return out

    def backward_append(self, stmt: gast.Expr) -> list[gast.stmt]:
        """`xs.append(v)`: v gets the adjoint of xs's last element; then the append is undone."""
        var = stmt.value.func.value.id
        value = stmt.value.args[0]
        out: list[gast.stmt] = []
        self.expand_uniform({var}, out)
        if var in self.varied and not self.adjoints.is_zero(var):
            adjoint = StatementAdjoint(self, stmt, self.adjoints.ref(var), var)
            if adjoint.node_varies(value):
                last = gast.BinOp(left=syntax.call(self.ctx.ref(len, "len"), syntax.name(var)), op=gast.Sub(),
                                  right=syntax.const(1))
                adjoint.write(value, syntax.call(self.helper("item_adjoint"), self.adjoints.ref(var), last,
                                                 syntax.clone(value)))
                if adjoint.out:
                    self.comment_for(stmt, out)
                    out.extend(adjoint.out)
        out.append(mark(Unappend, var, stmt))
        return out

    def _zero(self, var: str) -> gast.stmt:
        self.adjoints.state[var] = OWNED
        return syntax.assign(self.adjoints.name(var), self.zero_of(var))

    def zero_of(self, var: str) -> gast.expr:
        if var in self.numbers:
            return syntax.const(0.0)
        return syntax.call(self.helper("zeros_like"), syntax.name(var))

    def backward_if(self, stmt: gast.If) -> list[gast.stmt]:
        expanded: list[gast.stmt] = []
        self.expand_uniform(self._touched([stmt]), expanded)
        self._compound_depth += 1
        try:
            return expanded + self._backward_if(stmt)
        finally:
            self._compound_depth -= 1

    def _backward_if(self, stmt: gast.If) -> list[gast.stmt]:
        entry = self.adjoints.snapshot()
        body = self.backward_block(stmt.body)
        after_body = self.adjoints.snapshot()
        self.adjoints.state = dict(entry)
        orelse = self.backward_block(stmt.orelse)
        after_else = self.adjoints.snapshot()
        merged = {}
        for var in set(after_body) | set(after_else):
            a, b = after_body.get(var, ZERO), after_else.get(var, ZERO)
            if a == ZERO and b != ZERO:
                self.adjoints.state[var] = ZERO
                body.append(self._zero(var))
                a = OWNED
            elif b == ZERO and a != ZERO:
                orelse.append(self._zero(var))
                b = OWNED
            merged[var] = ZERO if a == b == ZERO else OWNED if a == b == OWNED else SHARED
        self.adjoints.state = merged
        if not body and not orelse:
            return []
        out: list[gast.stmt] = []
        self.comment_for(stmt, out)
        out.append(gast.If(test=syntax.clone(stmt.test), body=body or [gast.Pass()], orelse=orelse))
        return out

    def _touched(self, stmts: list[gast.stmt]) -> set[str]:
        names = set()
        for stmt in stmts:
            names |= syntax.all_names(stmt)
        return names & self.varied

    def backward_loop(self, stmt: gast.For | gast.While) -> list[gast.stmt]:
        """The body's backward block, run once per forward iteration in reverse order.

        Adjoints carried from one iteration to the next must hold real values at the loop's
        entry and after every reset, so the loop is analyzed to a fixed point first.
        """
        expanded: list[gast.stmt] = []
        self.expand_uniform(self._touched(stmt.body), expanded)
        self._compound_depth += 1
        try:
            return expanded + self._backward_loop(stmt)
        finally:
            self._compound_depth -= 1

    def _backward_loop(self, stmt: gast.For | gast.While) -> list[gast.stmt]:
        entry = self.adjoints.snapshot()
        self.loop_depth[id(stmt)] = self._depth
        self._depth += 1
        touched = self._touched(stmt.body)
        carried = {v for v in touched if entry.get(v, ZERO) != ZERO}
        last_line = self._last_line
        end: dict[str, str] = {}
        # `carried` only grows and stays within `touched`, so this ends within len(touched) + 1 rounds
        for _ in range(len(touched) + 2):
            self._enter_loop(entry, carried, end)
            self.backward_block(stmt.body)
            end = self.adjoints.snapshot()
            grown = carried | {v for v in touched if end.get(v, ZERO) != ZERO}
            if grown == carried:
                break
            carried = grown
        else:
            raise InternalError("the adjoint states of a loop did not reach a fixed point",
                                self.ctx.source.origin(stmt))
        self._last_line = last_line
        self._enter_loop(entry, carried, end)
        body = self.backward_block(stmt.body)
        self._depth -= 1
        # an adjoint reset in this iteration and read by the next one must hold a real zero
        body.extend(self._zero(var) for var in sorted(carried) if self.adjoints.is_zero(var))
        end = self.adjoints.snapshot()
        self.adjoints.state = dict(entry)
        out: list[gast.stmt] = []
        for var in sorted(carried):
            if entry.get(var, ZERO) == ZERO:
                out.append(self._zero(var))
        for var in carried:
            self.adjoints.state[var] = OWNED if end.get(var) == OWNED and entry.get(var) != SHARED else SHARED
        if not body:
            self.adjoints.state = dict(entry)
            return []
        self.comment_for(stmt, out)
        if isinstance(stmt, gast.For):
            reverse = syntax.call(self.ctx.ref(reversed, "reversed"), syntax.clone(stmt.iter))
            out.append(gast.For(target=syntax.clone(stmt.target), iter=reverse, body=body, orelse=[],
                                type_comment=None))
        else:
            counter = self.counter(stmt)
            if self.loop_depth.get(id(stmt), 0):
                out.append(syntax.assign(counter, syntax.call(syntax.attr(syntax.name(self.tape), "pop"))))
            underscore = self.ctx.namer.fresh("_")
            out.append(gast.For(target=syntax.name(underscore, gast.Store),
                                iter=syntax.call(self.ctx.ref(range, "range"), syntax.name(counter)),
                                body=body, orelse=[], type_comment=None))
        return out

    def _enter_loop(self, entry: dict[str, str], carried: set[str], end: dict[str, str]) -> None:
        state = dict(entry)
        for var in carried:
            shared = entry.get(var) == SHARED or end.get(var) == SHARED
            state[var] = SHARED if shared else OWNED
        self.adjoints.state = state

    def counter(self, stmt: gast.While) -> str:
        if id(stmt) not in self.counters:
            self.counters[id(stmt)] = self.ctx.namer.numbered("_n")
        return self.counters[id(stmt)]

    # -- forward sweep ------------------------------------------------------------------------

    def _forward(self, stmts: list[gast.stmt] | None = None, depth: int = 0) -> list[gast.stmt]:
        out: list[gast.stmt] = []
        for stmt in self.fdef.body if stmts is None else stmts:
            if isinstance(stmt, gast.Return):
                continue
            for guard in self.aliases.checks(stmt):
                out.append(guard_statement(self.ctx, guard))
            if id(stmt) in self.callee_checks:
                out.append(self.callee_checks[id(stmt)])
            if isinstance(stmt, gast.Assign) and isinstance(stmt.targets[0], gast.Subscript):
                out.append(mark(PushItem, stmt.targets[0].value.id, stmt))
                out.append(stmt)
            elif isinstance(stmt, gast.Assign):
                if id(stmt) in self.push_sites:
                    out.append(mark(Push, stmt.targets[0].id))
                if id(stmt) in self.split_calls and self.pure:
                    # the callee hands back what its backward needs; it goes on this function's own tape
                    call = syntax.clone(self.split_calls[id(stmt)])
                    saved = self.ctx.namer.numbered("_saved")
                    target = gast.Tuple(elts=[syntax.name(stmt.targets[0].id, gast.Store),
                                              syntax.name(saved, gast.Store)], ctx=gast.Store())
                    out.append(gast.copy_location(syntax.assign(target, call), stmt))
                    stmt = syntax.expr_stmt(syntax.call(syntax.attr(syntax.name(self.tape), "append"),
                                                        syntax.name(saved)))
                elif id(stmt) in self.split_calls:
                    call = syntax.clone(self.split_calls[id(stmt)])
                    stmt = gast.copy_location(syntax.assign(stmt.targets[0].id, call), stmt)
                out.append(stmt)
            elif isinstance(stmt, gast.With):
                continue  # a gradient hook: it runs in the backward sweep only
            elif isinstance(stmt, gast.Expr) and isinstance(stmt.value, gast.Constant) \
                    and isinstance(stmt.value.value, NestedDef):
                out.append(syntax.clone(stmt.value.value.fdef))
            elif isinstance(stmt, gast.If):
                out.append(gast.copy_location(gast.If(test=stmt.test, body=self._forward(stmt.body, depth) or
                                                      [gast.Pass()], orelse=self._forward(stmt.orelse, depth)), stmt))
            elif isinstance(stmt, gast.For):
                out.append(gast.copy_location(gast.For(target=stmt.target, iter=stmt.iter,
                                                       body=self._forward(stmt.body, depth + 1) or [gast.Pass()],
                                                       orelse=[], type_comment=None), stmt))
            elif isinstance(stmt, gast.While):
                counter = self.counter(stmt)
                body = self._forward(stmt.body, depth + 1)
                body.append(syntax.assign(counter, gast.BinOp(left=syntax.name(counter), op=gast.Add(),
                                                              right=syntax.const(1))))
                out.append(syntax.assign(counter, syntax.const(0)))
                out.append(gast.copy_location(gast.While(test=stmt.test, body=body, orelse=[]), stmt))
                if depth:
                    out.append(syntax.expr_stmt(syntax.call(syntax.attr(syntax.name(self.tape), "append"),
                                                            syntax.name(counter))))
            else:
                out.append(stmt)
        return out

    # -- tape decisions -----------------------------------------------------------------------

    def _finish(self, forward: list[gast.stmt], backward: list[gast.stmt]) -> tuple[list, list, bool]:
        return lower_tape_marks(self, forward, backward)

    def _return_atom(self) -> gast.expr:
        last = self.fdef.body[-1]
        assert isinstance(last, gast.Return)
        return last.value

    def _gradients(self, params: list[str], out: list[gast.stmt]) -> list[gast.expr]:
        grads = []
        for p in params:
            if self.adjoints.is_zero(p):
                grads.append(self.zero_of(p))
            else:
                grads.append(self.adjoints.ref(p))
        return grads

    # -- the two shapes -----------------------------------------------------------------------

    def joint(self, name: str, wrt: tuple[str, ...], gradient_only: bool = False) -> gast.FunctionDef:
        """`name(*args) -> (value, (gradient for each of wrt))`, forward and backward in one function.

        With `gradient_only`, it returns just the gradient (a tuple for several `wrt`): the form
        that is differentiated again for higher derivatives.
        """
        result = self._return_atom()
        head: list[gast.stmt] = []
        if isinstance(result, gast.Name) and result.id in self.varied:
            self.adjoints.state[result.id] = SHARED
            seed = syntax.const(1.0) if result.id in self.numbers else syntax.call(self.helper("seed"), result)
            head.append(syntax.assign(self.adjoints.name(result.id), seed))
        elif not (isinstance(result, gast.Name) and result.id in self.numbers):
            # an output that does not depend on wrt (zero gradient) must still be a scalar: (1.0, 2.0) is refused
            head.append(syntax.expr_stmt(syntax.call(self.helper("seed"), syntax.clone(result))))
        backward = self.backward_block(self.fdef.body)
        complete = self.helper("complete")
        grads = [syntax.call(complete, g, syntax.name(p)) for g, p in zip(self._gradients(list(wrt), backward), wrt,
                                                                          strict=True)]
        value = syntax.clone(result)
        if not isinstance(result, gast.Constant) and (not isinstance(result, gast.Name)
                                                       or result.id in self.pushed_vars()):
            # the backward sweep restores old values of this variable: keep the result aside
            value = syntax.name(self.ctx.namer.fresh("_value"))
            head.insert(0, syntax.assign(value.id, syntax.clone(result)))
        if gradient_only:
            backward.append(gast.Return(value=grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())))
        else:
            backward.append(gast.Return(value=gast.Tuple(elts=[value, gast.Tuple(elts=grads, ctx=gast.Load())],
                                                         ctx=gast.Load())))
        forward, backward, uses_tape = self._finish(self._forward(), backward)
        # a variable only some paths assign may still be read by the backward sweep (zeros_like(v) where
        # branches merge): bind it to None first, which zeros_like takes for a scalar zero
        read_back = set().union(set(), *(syntax.names_loaded(s) for s in head + backward)) & self.locals
        forward = self._bind_saved(sorted(read_back), forward)
        body = ([syntax.assign(self.tape, gast.List(elts=[], ctx=gast.Load()))] if uses_tape else []) + forward
        body = self._check_arguments() + body + head + backward
        return self._optimize(self._function(name, self.fdef.args, body), head + backward)

    def pushed_vars(self) -> set[str]:
        """Variables with at least one definition that may save its old value on the tape."""
        return {n.targets[0].id for n in gast.walk(self.fdef)
                if isinstance(n, gast.Assign) and id(n) in self.push_sites}

    def split(self, fwd_name: str, bwd_name: str, active: tuple[str, ...]) -> tuple[gast.FunctionDef, gast.FunctionDef]:
        """`fwd(tape, *args) -> value` saving what `bwd(tape, d_value) -> gradients of active` needs.

        In pure mode (code that is differentiated again) nothing is shared: `fwd(*args) ->
        (value, saved)` keeps its own tape in `saved`, and `bwd(saved, d_value)`.
        """
        result = self._return_atom()
        if isinstance(result, gast.Name) and result.id in self.varied:
            self.adjoints.state[result.id] = SHARED
            incoming = self.adjoints.name(result.id)
        else:
            incoming = self.ctx.namer.fresh("d_out")
        backward = self.backward_block(self.fdef.body)
        self.expand_uniform(set(active), backward)  # callers expect full arrays
        grads = self._gradients(list(active), backward)
        forward, backward, uses_tape = self._finish(self._forward(), backward)
        backward.append(gast.Return(value=grads[0] if len(grads) == 1 else gast.Tuple(elts=grads, ctx=gast.Load())))
        local = set(self.params) | syntax.names_stored(self.fdef) | set(self.counters.values())
        saved = sorted((set().union(*(syntax.all_names(s) for s in backward)) & local) - {incoming})
        if self.pure and uses_tape:
            forward.insert(0, syntax.assign(self.tape, gast.List(elts=[], ctx=gast.Load())))
            saved.append(self.tape)
        forward = self._check_arguments() + self._bind_saved(saved, forward)
        pack = gast.Tuple(elts=[syntax.name(v) for v in saved], ctx=gast.Load())
        unpack = gast.Tuple(elts=[syntax.name(v, gast.Store) for v in saved], ctx=gast.Store())
        tape = syntax.name(self.tape)
        if self.pure:
            saved_name = self.ctx.namer.fresh("saved")
            forward.append(gast.Return(value=gast.Tuple(elts=[syntax.clone(result), pack], ctx=gast.Load())))
            if saved:
                # pops (the tape's, undoing appends) must not empty a list the forward sweep returned: the
                # code that differentiates this pair runs the backward sweep more than once
                popped = {n.func.value.id for s in backward for n in gast.walk(s) if isinstance(n, gast.Call)
                          and isinstance(n.func, gast.Attribute) and n.func.attr == "pop" and not n.args
                          and isinstance(n.func.value, gast.Name)}
                for name in reversed([v for v in saved if v in popped]):
                    # `if xs is not None: xs = list(xs)` (None: the branch that makes xs did not run)
                    copy = syntax.assign(name, syntax.call(syntax.name("list"), syntax.name(name)))
                    test = gast.Compare(left=syntax.name(name), ops=[gast.IsNot()], comparators=[syntax.const(None)])
                    backward.insert(0, gast.If(test=test, body=[copy], orelse=[]))
                backward.insert(0, syntax.assign(unpack, syntax.name(saved_name)))
            fwd_args, bwd_params = syntax.clone(self.fdef.args), (saved_name, incoming)
        else:
            if saved:
                forward.append(syntax.expr_stmt(syntax.call(syntax.attr(tape, "append"), pack)))
                backward.insert(0, syntax.assign(unpack, syntax.call(syntax.attr(syntax.clone(tape), "pop"))))
            forward.append(gast.Return(value=syntax.clone(result)))
            fwd_args = syntax.clone(self.fdef.args)
            fwd_args.args.insert(0, syntax.name(self.tape, gast.Param))
            bwd_params = (self.tape, incoming)
        bwd_args = gast.arguments(args=[syntax.name(p, gast.Param) for p in bwd_params], posonlyargs=[],
                                  vararg=None, kwonlyargs=[], kw_defaults=[], kwarg=None, defaults=[])
        bwd = self._optimize(self._function(bwd_name, bwd_args, backward), backward)
        return self._function(fwd_name, fwd_args, forward), bwd

    def _check_arguments(self) -> list[gast.stmt]:
        """`check_unshared(...)` when the function writes into an argument: at run time, no other argument
        may share that argument's memory (the write would change it too, unseen by its adjoint)."""
        if not self.aliases.mutated_params:
            return []
        written = gast.Tuple(elts=[syntax.const(p) for p in self.aliases.mutated_params], ctx=gast.Load())
        names = gast.Tuple(elts=[syntax.const(p) for p in self.params], ctx=gast.Load())
        values = gast.Tuple(elts=[syntax.name(p) for p in self.params], ctx=gast.Load())
        check = syntax.call(self.helper("check_unshared"), written, names, values)
        return [syntax.expr_stmt(check)]

    def _bind_saved(self, saved: list[str], forward: list[gast.stmt]) -> list[gast.stmt]:
        """`v = None` first for saved variables that only some paths assign, so packing never fails."""
        bound = set(self.params) | {self.tape} | {n for s in self.fdef.body if isinstance(s, gast.Assign)
                                                   for n in syntax.names_stored(s.targets[0])}
        bound |= {s.targets[0].id for s in forward if isinstance(s, gast.Assign)
                  and isinstance(s.targets[0], gast.Name) and isinstance(s.value, gast.Constant)}
        return [syntax.assign(v, syntax.const(None)) for v in saved if v not in bound] + forward

    def _optimize(self, fdef: gast.FunctionDef, backward: list[gast.stmt]) -> gast.FunctionDef:
        """Copy propagation and dead-code removal over the names the backward sweep introduced."""
        ours = set(self.adjoints.names.values())
        ours |= {n for s in backward for n in syntax.names_stored(s) if n.startswith(("_d", "_g", "_r"))}
        fdef = propagate_copies(fdef, ours)
        return drop_dead_code(fdef, ours)

    @staticmethod
    def _function(name: str, args: gast.arguments, body: list[gast.stmt]) -> gast.FunctionDef:
        return gast.FunctionDef(name=name, args=args, body=body, decorator_list=[], returns=None,
                                type_comment=None, type_params=[])
