"""A-normal form: every statement performs one operation on atoms (names and constants).

Sub-expressions get named temporaries (`_t1`, `_t2`, ...), so that the backward sweep reads
each value the forward sweep computed and never evaluates an expression again. A statement
whose value cannot carry a derivative is left as the user wrote it, so the forward sweep stays
readable. Tuple targets read one subscript per name from the value, evaluated once.

>>> from srcgrad.passes.normalize.testing import show
>>> from srcgrad.naming import Namer
>>> show(lambda t: to_anf(t, Namer({'f', 'x', 'y', 'np'}), {'x'}), '''
... def f(x, y):
...     return np.sum(np.tanh(x * 2.0) + y[:, 0])
... ''')
def f(x, y):
    _t1 = x * 2.0
    _t2 = np.tanh(_t1)
    _t3 = y[:, 0]
    _t4 = _t2 + _t3
    _t5 = np.sum(_t4)
    return _t5
"""
import gast

from srcgrad import syntax
from srcgrad.naming import Namer
from srcgrad.passes.analyses.activity import is_append, is_pop, reads_varied, varied_names


def is_atom(node: gast.expr) -> bool:
    """Names, constants, and displays or slices built only from them."""
    if isinstance(node, (gast.Name, gast.Constant)):
        return True
    if isinstance(node, gast.UnaryOp) and isinstance(node.operand, gast.Constant):
        return True
    if isinstance(node, gast.Slice):
        return all(part is None or is_atom(part) for part in (node.lower, node.upper, node.step))
    if isinstance(node, (gast.Tuple, gast.List)):
        return all(is_atom(e) for e in node.elts)
    return False


class _ANF:
    def __init__(self, namer: Namer, varied: set[str], local_names: set[str],
                 implicit: dict[str, tuple[str, ...]] | None = None):
        self.implicit = implicit or {}
        self.namer = namer
        self.varied = varied
        self.locals = local_names
        self.out: list[gast.stmt] = []
        self.origin: gast.stmt | None = None

    # -- expressions ------------------------------------------------------------------------

    def inert(self, expr: gast.expr) -> bool:
        return not reads_varied(expr, self.varied, lambda call: True, self.implicit) and not any(
            isinstance(n, gast.Call) and self._is_method(n) and n.func.value.id in self.varied
            for n in gast.walk(expr))

    def _is_method(self, call: gast.Call) -> bool:
        return isinstance(call.func, gast.Attribute) and isinstance(call.func.value, gast.Name) \
            and call.func.value.id in self.locals

    def emit(self, target: str, value: gast.expr) -> None:
        stmt = syntax.assign(target, value)
        self.out.append(gast.copy_location(stmt, self.origin))

    def atomize(self, expr: gast.expr) -> gast.expr:
        """An atom with the value of `expr`, emitting statements for its operations.

        An operand that cannot vary still gets its own temporary: the backward sweep reads the
        value the forward sweep computed instead of evaluating the expression again (which would
        draw a second random number, or just cost time). Constants, displays of atoms and
        attributes of modules and other globals (`np.pi`) stay as written.
        """
        if is_atom(expr) and not isinstance(expr, (gast.Tuple, gast.List)):
            return expr
        if self.inert(expr):
            if is_atom(expr) or self.is_global_constant(expr):
                return expr
            temp = self.namer.temp()
            self.emit(temp, expr)
            return syntax.name(temp)
        if isinstance(expr, (gast.Tuple, gast.List)):
            flat = self.flatten(expr)
            if all(is_atom(e) for e in flat.elts):
                temp = self.namer.temp()
                self.emit(temp, flat)
                return syntax.name(temp)
        value = self.flatten(expr)
        temp = self.namer.temp()
        self.emit(temp, value)
        return syntax.name(temp)

    def is_global_constant(self, expr: gast.expr) -> bool:
        """`np.pi`, `CONFIG.scale`: an attribute chain rooted at a name that is not a local variable."""
        while isinstance(expr, gast.Attribute):
            expr = expr.value
        return isinstance(expr, gast.Name) and expr.id not in self.locals

    def display_or_atom(self, expr: gast.expr) -> gast.expr:
        """Call arguments may stay list/tuple displays of atoms (np.stack([a, b]))."""
        if isinstance(expr, (gast.Tuple, gast.List)) and not self.inert(expr):
            return self.flatten(expr)
        return self.atomize(expr)

    def index(self, expr: gast.expr) -> gast.expr:
        """A subscript's index with every computed part in a temporary.

        The backward sweep reuses the index, so a mask or an index array must be the value it had
        when the subscript ran, not one recomputed after later statements changed its inputs.
        """
        if isinstance(expr, gast.Slice):
            return gast.Slice(*(None if p is None else self.atomize(p) for p in (expr.lower, expr.upper, expr.step)))
        if isinstance(expr, gast.Tuple):
            return gast.Tuple(elts=[self.index(e) for e in expr.elts], ctx=gast.Load())
        if is_atom(expr) or isinstance(expr, gast.Attribute):
            return self.atomize(expr)
        temp = self.namer.temp()
        self.emit(temp, expr if self.inert(expr) else self.flatten(expr))
        return syntax.name(temp)

    def flatten(self, expr: gast.expr) -> gast.expr:
        """`expr` with each operand replaced by an atom."""
        if isinstance(expr, gast.BinOp):
            return gast.BinOp(left=self.atomize(expr.left), op=expr.op, right=self.atomize(expr.right))
        if isinstance(expr, gast.UnaryOp):
            return gast.UnaryOp(op=expr.op, operand=self.atomize(expr.operand))
        if isinstance(expr, gast.Call):
            func = expr.func
            if self._is_method(expr):
                func = gast.Attribute(value=func.value, attr=func.attr, ctx=gast.Load())
            elif isinstance(func, gast.Attribute) and (not self.inert(func.value)
                                                       or not self.is_global_constant(func.value)):
                # `X[i].dot(W)`, `self.act.fn(z)`: the receiver in a name, so the method resolves on it
                func = gast.Attribute(value=self.atomize(func.value), attr=func.attr, ctx=gast.Load())
            args = [gast.Starred(value=self.atomize(a.value), ctx=gast.Load()) if isinstance(a, gast.Starred)
                    else self.display_or_atom(a) for a in expr.args]
            keywords = [gast.keyword(arg=k.arg, value=self.display_or_atom(k.value)) for k in expr.keywords]
            return gast.Call(func=func, args=args, keywords=keywords)
        if isinstance(expr, gast.Subscript):
            return gast.Subscript(value=self.atomize(expr.value), slice=self.index(expr.slice), ctx=gast.Load())
        if isinstance(expr, gast.Attribute):
            return gast.Attribute(value=self.atomize(expr.value), attr=expr.attr, ctx=gast.Load())
        if isinstance(expr, (gast.Tuple, gast.List)):
            return type(expr)(elts=[self.atomize(e) for e in expr.elts], ctx=gast.Load())
        if isinstance(expr, gast.Dict):
            return gast.Dict(keys=[None if k is None else self.atomize(k) for k in expr.keys],
                             values=[self.atomize(v) for v in expr.values])
        if isinstance(expr, gast.Compare):
            return gast.Compare(left=self.atomize(expr.left), ops=expr.ops,
                                comparators=[self.atomize(c) for c in expr.comparators])
        if isinstance(expr, gast.IfExp):
            return self.if_expression(expr)
        return expr

    def if_expression(self, expr: gast.IfExp) -> gast.Name:
        """`a if c else b` becomes an if statement assigning a temporary in each branch."""
        temp = self.namer.temp()
        test = self.condition(expr.test)
        body = self.block([gast.copy_location(syntax.assign(temp, expr.body), self.origin)])
        orelse = self.block([gast.copy_location(syntax.assign(temp, expr.orelse), self.origin)])
        self.out.append(gast.copy_location(gast.If(test=test, body=body, orelse=orelse), self.origin))
        return syntax.name(temp)

    def condition(self, test: gast.expr) -> gast.Name:
        """A branch condition, always in a fresh temporary: the backward sweep re-reads it."""
        temp = self.namer.numbered("_c")
        value = test if self.inert(test) else self.flatten(test)
        self.emit(temp, value)
        return syntax.name(temp)

    def block(self, stmts: list[gast.stmt]) -> list[gast.stmt]:
        """Normalize a nested block into its own statement list."""
        saved_out, saved_origin = self.out, self.origin
        self.out = []
        for stmt in stmts:
            self.statement(stmt)
        result, self.out, self.origin = self.out, saved_out, saved_origin
        return result or [gast.Pass()]

    # -- statements ---------------------------------------------------------------------------

    def statement(self, stmt: gast.stmt) -> None:
        self.origin = stmt
        if isinstance(stmt, gast.Assign):
            self.assign(stmt)
        elif isinstance(stmt, gast.Return):
            value = self.atomize(stmt.value) if stmt.value is not None else syntax.const(None)
            if not isinstance(value, gast.Name) and not self.inert(value):
                temp = self.namer.temp()
                self.emit(temp, value)
                value = syntax.name(temp)
            self.out.append(gast.copy_location(gast.Return(value=value), stmt))
        elif isinstance(stmt, gast.Expr) and is_pop(stmt.value):
            self.emit(self.namer.temp(), stmt.value)  # a discarded pop still moves a value: name it
        elif isinstance(stmt, gast.Expr) and is_append(stmt) and not self.inert(stmt.value.args[0]):
            call = stmt.value
            self.out.append(gast.copy_location(syntax.expr_stmt(
                syntax.call(syntax.attr(call.func.value, "append"), self.atomize(call.args[0]))), stmt))
        elif isinstance(stmt, gast.If):
            test = self.condition(stmt.test)
            self.out.append(gast.copy_location(
                gast.If(test=test, body=self.block(stmt.body), orelse=self.block(stmt.orelse) if stmt.orelse else []),
                stmt))
        elif isinstance(stmt, gast.For):
            iterable = stmt.iter
            if isinstance(iterable, gast.Call):
                iterable = gast.Call(func=iterable.func, args=[a if self.inert(a) else self.atomize(a)
                                                               for a in iterable.args], keywords=[])
            seq = self.namer.numbered("_r")
            self.emit(seq, iterable)
            self.out.append(gast.copy_location(
                gast.For(target=stmt.target, iter=syntax.name(seq), body=self.block(stmt.body), orelse=[],
                         type_comment=None), stmt))
        elif isinstance(stmt, gast.While):
            test = self.condition(stmt.test)
            self.origin = stmt
            body = self.block(stmt.body)
            self.origin = stmt
            saved = self.out
            self.out = body
            self.condition_into(stmt.test, test.id)
            self.out = saved
            self.out.append(gast.copy_location(gast.While(test=test, body=body, orelse=[]), stmt))
        else:
            self.out.append(stmt)

    def condition_into(self, test: gast.expr, temp: str) -> None:
        value = test if self.inert(test) else self.flatten(test)
        self.emit(temp, value)

    def assign(self, stmt: gast.Assign) -> None:
        if self.inert(stmt.value) and all(isinstance(t, gast.Name) for t in stmt.targets):
            first, *rest = stmt.targets
            if not rest:
                self.out.append(stmt)
                return
            # `t = s = e`: e once, into a temporary, then `t = _t` and `s = _t` (one statement per name, so
            # each rebinding is seen; not `s = t`, which would make s vary wherever t varies elsewhere)
            temp = self.namer.temp()
            self.emit(temp, stmt.value)
            for target in stmt.targets:
                self.emit(target.id, syntax.name(temp))
            return
        targets = stmt.targets
        if len(targets) == 1 and isinstance(targets[0], gast.Name):
            self.emit(targets[0].id, self.flatten(stmt.value) if not self.inert(stmt.value) else stmt.value)
            self.out[-1].augmented = getattr(stmt, "augmented", False)
            return
        if len(targets) == 1 and isinstance(targets[0], gast.Subscript):
            target = targets[0]
            value = self.atomize(stmt.value)
            container = self.atomize(syntax.with_load(target.value)) if not isinstance(target.value, gast.Name) \
                else target.value
            store = gast.Subscript(value=container, slice=self.index(target.slice), ctx=gast.Store())
            self.out.append(gast.copy_location(syntax.assign(store, value), self.origin))
            self.out[-1].augmented = getattr(stmt, "augmented", False)
            if hasattr(stmt, "element_of"):  # `a[i][j] = v` (desugar.py): messages name `a[i]`
                self.out[-1].element_of = stmt.element_of
            return
        target = targets[0]
        if (len(targets) == 1 and isinstance(target, (gast.Tuple, gast.List)) and all(
                isinstance(t, gast.Name) for t in target.elts) and isinstance(stmt.value, (gast.Tuple, gast.List))
                and len(stmt.value.elts) == len(target.elts) and all(is_atom(e) for e in stmt.value.elts)
                and not syntax.names_loaded(stmt.value) & syntax.names_stored(target)):
            for elt, item in zip(target.elts, stmt.value.elts, strict=True):  # `x, y = 0.0, 1.0`
                self.emit(elt.id, item)
            return
        # several targets, or a tuple target: evaluate the value once, into a name, then unpack it
        value = self.atomize(stmt.value)
        if not isinstance(value, gast.Name):
            temp = self.namer.temp()
            self.emit(temp, value)
            value = syntax.name(temp)
        for target in targets:
            self.unpack(target, value)

    def unpack(self, target: gast.expr, value: gast.expr) -> None:
        if isinstance(target, gast.Name):
            self.emit(target.id, syntax.clone(value))
        elif isinstance(target, (gast.Tuple, gast.List)):
            for i, elt in enumerate(target.elts):
                item = gast.Subscript(value=syntax.clone(value), slice=syntax.const(i), ctx=gast.Load())
                if isinstance(elt, gast.Name):
                    self.emit(elt.id, item)
                else:
                    temp = self.namer.temp()
                    self.emit(temp, item)
                    self.unpack(elt, syntax.name(temp))
        else:
            self.out.append(gast.copy_location(syntax.assign(target, value), self.origin))


def local_names(fdef: gast.FunctionDef) -> set[str]:
    args = fdef.args
    params = {a.id for a in args.args + args.posonlyargs + args.kwonlyargs + [args.vararg, args.kwarg] if a is not None}
    return params | syntax.names_stored(fdef)


def to_anf(fdef: gast.FunctionDef, namer: Namer, wrt: set[str],
           implicit: dict[str, tuple[str, ...]] | None = None) -> gast.FunctionDef:
    """Rewrite `fdef`'s body into A-normal form with respect to the variables varied by `wrt`.

    `implicit` maps nested functions to the outer variables they read (see frontend/nested.py).
    """
    varied = varied_names(fdef.body, wrt, implicit=implicit)
    anf = _ANF(namer, varied, local_names(fdef), implicit)
    for stmt in fdef.body:
        anf.statement(stmt)
    fdef.body = anf.out
    return fdef
