"""The tangent statements of one A-normal-form statement `y = <operation on atoms>`.

Dispatch on the operation, as the adjoints do: an operator or a call with a rule instantiates
its tangent template; a subscript or attribute read applies itself to the container's tangent;
a display builds the display of the elements' tangents; a call to a user function calls that
function's forward-mode version, which returns the value and its tangent together.

A tangent is written right after its primal statement, except when the statement overwrites an
operand its tangent reads (`x = x * y`): then the tangent comes first, or, if it also reads the
new value, the primal result goes through a `_r` temporary.
"""
import copy
import inspect
import re
from typing import TYPE_CHECKING, Any

import gast
import numpy as np

from srcgrad import syntax
from srcgrad.errors import NotDifferentiableError, UnsupportedSyntaxError
from srcgrad.passes.analyses.activity import NONDIFF_ATTRIBUTES, reads_varied
from srcgrad.passes.normalize.anf import is_atom
from srcgrad.rules import registry
from srcgrad.rules.tangents import helpers, lookup_tangent, lookup_tangent_method
from srcgrad.rules.tangents import runtime as runtime_tangents
from srcgrad.passes.analyses.sequences import is_concatenation, is_repetition
from srcgrad.runtime.dispatch import RECEIVER, check_constant_callee, dispatch_jvp
from srcgrad.transforms.reverse.adjoint import dispatch_arguments, is_array_property, no_rule_error, receiver_node
from srcgrad.transforms.forward.templates import finish, fold, instantiate, is_zero, zero
from srcgrad.transforms.reverse.templates import bind_arguments, value_node

if TYPE_CHECKING:
    from srcgrad.transforms.forward.sweep import Forward

OWNED, SHARED = "owned", "shared"
_RESULT = "__srcgrad_result__"

# function -> groups of argument positions: the result is zero when every argument of one group is zero
_LINEAR: dict[Any, tuple[tuple[int, ...], ...]] = {
    **{f: ((0,),) for f in (helpers.broadcast_like, helpers.cast_tangent, helpers.item_tangent, helpers.prod_tangent,
                            helpers.select_tangent, helpers.norm_tangent, np.reshape, np.transpose, np.sum, np.mean,
                            np.swapaxes, np.moveaxis, np.broadcast_to, np.cumsum, np.trace, np.tile, np.repeat,
                            np.take, np.diag, np.flip)},
    **{f: ((0,), (1,)) for f in (np.dot, np.matmul, np.outer, np.vdot)},
    **runtime_tangents.LINEAR,
    np.where: ((1, 2),),
    np.linalg.solve: ((1,),),
    sum: ((0, 1),),
}


def _object_of(func: gast.expr) -> Any:
    if isinstance(func, gast.Name):
        return getattr(func, "obj", None)
    if isinstance(func, gast.Attribute):
        base = _object_of(func.value)
        return getattr(base, func.attr, None) if base is not None else None
    return None


def _zero_call(call: gast.Call) -> bool:
    try:
        groups = _LINEAR.get(_object_of(call.func), ())
    except TypeError:  # unhashable
        return False
    return any(all(i < len(call.args) and is_zero(call.args[i]) for i in group) for group in groups)


def _stand_in_code() -> Any:
    from srcgrad.compiler import Split

    return next(c for c in Split.half.__code__.co_consts if getattr(c, "co_name", None) == "late")


_STAND_IN = _stand_in_code()


def _real_callee(obj: Any) -> Any:
    """The split function a reverse-mode stand-in (`late`, for recursion) stands for, once it exists."""
    if getattr(obj, "__code__", None) is _STAND_IN and obj.__closure__:
        cells = dict(zip(obj.__code__.co_freevars, (c.cell_contents for c in obj.__closure__)))
        target = getattr(cells["self"], cells["which"])
        if target is not None:
            return target
    return obj


def _hashable(obj: Any) -> bool:
    try:
        hash(obj)
    except TypeError:
        return False
    return True


def _zero_tangent(obj: Any) -> bool:
    """A runtime helper whose result carries no derivative (a mask, a shape, a seed)."""
    return _hashable(obj) and obj in runtime_tangents.ZERO_TANGENT


def _is_scalar_constant(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


def _elementwise(key) -> bool:
    if isinstance(key, type) and issubclass(key, gast.operator):
        return key is not gast.MatMult
    return isinstance(key, np.ufunc) and key.nin == 2 and key is not np.matmul


def _replace(tree: gast.AST, old: gast.AST, new: gast.AST) -> gast.AST:
    """`tree` with the node `old` (by identity) replaced by `new`."""
    if tree is old:
        return new
    for field, value in gast.iter_fields(tree):
        if value is old:
            setattr(tree, field, new)
        elif isinstance(value, list):
            setattr(tree, field, [new if v is old else _replace(v, old, new) if isinstance(v, gast.AST) else v
                                  for v in value])
        elif isinstance(value, gast.AST):
            _replace(value, old, new)
    return tree


class StatementTangent:
    """The statements replacing one primal assignment `var = value`: the primal and its tangent."""

    def __init__(self, fwd: "Forward", stmt: gast.Assign):
        self.fwd = fwd
        self.ctx = fwd.ctx
        self.stmt = stmt
        self.var = stmt.targets[0].id
        self.before: list[gast.stmt] = []  # statements the primal needs first (hoisted operands)

    # -- tangents of atoms ------------------------------------------------------------------

    def varies(self, node: gast.expr) -> bool:
        return isinstance(node, gast.Name) and node.id in self.fwd.varied

    def tangent_of(self, node: gast.expr) -> gast.expr:
        """`t_x` for a varied name, a display of tangents for a display, else a symbolic zero."""
        if self.varies(node):
            return self.fwd.tangent_ref(node.id)
        if isinstance(node, (gast.Tuple, gast.List)) and any(self.node_varies(e) for e in node.elts):
            return type(node)(elts=[self.tangent_of(e) for e in node.elts], ctx=gast.Load())
        if isinstance(node, gast.Dict) and any(self.node_varies(v) for v in node.values):
            return gast.Dict(keys=[syntax.clone(k) for k in node.keys], values=[self.tangent_of(v) for v in node.values])
        return zero(node)

    def node_varies(self, node: Any) -> bool:
        if isinstance(node, tuple):
            return any(self.node_varies(n) for n in node)
        if isinstance(node, dict):
            return any(self.node_varies(n) for n in node.values())
        return isinstance(node, gast.AST) and any(isinstance(n, gast.Name) and n.id in self.fwd.varied
                                                  for n in gast.walk(node))

    def real(self, expr: gast.expr) -> gast.expr:
        return finish(expr, self.fwd.zero_of)

    # -- dispatch ---------------------------------------------------------------------------

    def build(self) -> list[gast.stmt]:
        fwd, value = self.fwd, self.stmt.value
        if self.var not in fwd.varied:
            return [self.stmt]
        if not reads_varied(value, fwd.varied, fwd.differentiable, fwd.implicit):
            if isinstance(value, (gast.List, gast.Dict)) and not (getattr(value, "elts", None) or
                                                                  getattr(value, "keys", None)):
                return self.after(syntax.clone(value), OWNED)  # `hs = []`: `t_hs = []`
            return self.after(fwd.zero_of(value if isinstance(value, gast.Constant) else syntax.name(self.var)), OWNED)
        if isinstance(value, gast.Name):
            return self.after(self.tangent_of(value), fwd.state.get(value.id, OWNED))
        if isinstance(value, gast.Subscript):
            index = gast.Subscript(value=self.tangent_of(value.value), slice=syntax.clone(value.slice), ctx=gast.Load())
            return self.place(index, [], fwd.state.get(getattr(value.value, "id", None), SHARED))
        if isinstance(value, gast.Attribute):
            return self.attribute(value)
        if isinstance(value, (gast.Tuple, gast.List)):
            elts = [self.tangent_of(e) if self.varies(e) else self.zero_item(e, i) for i, e in enumerate(value.elts)]
            return self.after(type(value)(elts=elts, ctx=gast.Load()), OWNED)
        if isinstance(value, gast.Dict):
            values = [self.tangent_of(v) if self.varies(v) else self.zero_item(v, k) for k, v in
                      zip(value.keys, value.values, strict=True)]
            return self.after(gast.Dict(keys=[syntax.clone(k) for k in value.keys], values=values), OWNED)
        if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) \
                and is_concatenation(value.left, value.right, fwd.sequences):
            # lists or tuples joined: the tangent joins the operands' tangents, zeros included
            joined = gast.BinOp(left=self.real(self.tangent_of(value.left)), op=gast.Add(),
                                right=self.real(self.tangent_of(value.right)))
            return self.after(joined, OWNED)
        operand = is_repetition(value.left, value.right, fwd.sequences, fwd.numbers) \
            if isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) else None
        if operand is not None:
            count = value.right if operand is value.left else value.left
            repeated = gast.BinOp(left=self.real(self.tangent_of(operand)), op=gast.Mult(), right=syntax.clone(count))
            return self.after(repeated, OWNED)
        if isinstance(value, gast.BinOp):
            return self.apply_rule(self.rule_for(type(value.op)), type(value.op), [value.left, value.right], {})
        if isinstance(value, gast.UnaryOp):
            return self.apply_rule(self.rule_for(type(value.op)), type(value.op), [value.operand], {})
        if isinstance(value, gast.Call):
            return self.call(value)
        raise UnsupportedSyntaxError(f"srcgrad cannot differentiate the expression {type(value).__name__}",
                                     self.ctx.source.origin(self.stmt), hint="Rewrite it with arithmetic and NumPy calls.")

    def zero_item(self, elt: gast.expr, key: Any) -> gast.expr:
        """The zero tangent of a display element that cannot vary (read back from the display's value)."""
        if isinstance(elt, (gast.Name, gast.Constant)) or key is None:  # `**a` in a dict display: zeros like a
            return self.fwd.zero_of(elt)
        index = syntax.const(key) if isinstance(key, int) else syntax.clone(key)
        return self.fwd.zero_of(gast.Subscript(value=syntax.name(self.var), slice=index, ctx=gast.Load()))

    def after(self, tangent: gast.expr, state: str) -> list[gast.stmt]:
        """The primal, then `t_var = tangent` (which reads only old tangents and the new value)."""
        tangent = self.real(tangent)
        self.fwd.state[self.var] = state
        return [self.stmt, syntax.assign(self.fwd.tangent_name(self.var), tangent)]

    def place(self, tangent: gast.expr, stmts: list[gast.stmt], state: str) -> list[gast.stmt]:
        """Primal and tangent in an order that keeps the operands the tangent reads (`x = x[1:]`)."""
        tangent = self.real(tangent)
        self.fwd.state[self.var] = state
        assign = syntax.assign(self.fwd.tangent_name(self.var), tangent)
        overwrites = self.var in syntax.names_loaded(self.stmt.value)
        reads_old = self.var in set().union(syntax.names_loaded(tangent), *(syntax.all_names(s) for s in stmts))
        if overwrites and reads_old:
            return self.before + stmts + [assign, self.stmt]
        return self.before + [self.stmt] + stmts + [assign]

    # -- operations -------------------------------------------------------------------------

    def rule_for(self, key) -> registry.Rule | None:
        rule = lookup_tangent(key)
        if rule is None and not registry.is_nondifferentiable(key):
            raise NotDifferentiableError(f"srcgrad has no tangent rule for the operator {key.__name__}",
                                         self.ctx.source.origin(self.stmt),
                                         hint="Rewrite the expression with differentiable operations.")
        return rule

    def attribute(self, value: gast.Attribute) -> list[gast.stmt]:
        if value.attr in NONDIFF_ATTRIBUTES:
            return self.after(self.fwd.zero_of(syntax.name(self.var)), OWNED)
        rule = lookup_tangent_method(value.attr) if is_array_property(value.attr) else None
        if rule is not None:
            return self.apply_rule(rule, rule.key, [value.value], {})
        # a field of a named tuple or a dataclass instance: the same field of its tangent
        item = syntax.call(self.ctx.ref(helpers.field_tangent, "field_tangent"), self.tangent_of(value.value),
                           syntax.clone(value.value), syntax.const(value.attr),
                           self.ctx.ref(self.ctx.source.origin(self.stmt), "read_at"))
        return self.place(item, [], SHARED)

    def call(self, call: gast.Call) -> list[gast.stmt]:
        resolved = self.fwd.resolved[id(call)]
        args = list(call.args)
        keywords = {kw.arg: kw.value for kw in call.keywords}
        if resolved.method:
            args.insert(0, call.func.value)
        obj = resolved.obj
        if _zero_tangent(obj):
            return self.after(self.fwd.zero_of(syntax.name(self.var)), OWNED)
        if resolved.kind != "nondiff" and (any(isinstance(a, gast.Starred) for a in call.args)
                                           or any(k.arg is None for k in call.keywords)):
            return self.dynamic_call(call)  # `f(y, *args)`: how many arguments there are is known when it runs
        if resolved.kind == "unknown" and not resolved.method and _hashable(obj) and lookup_tangent(obj) is not None:
            return self.runtime_call(obj, args, keywords)
        if resolved.kind == "rule" and _hashable(obj) and obj in runtime_tangents.IN_PLACE:
            return self.runtime_call(obj, args, keywords)
        if resolved.kind == "rule":
            rule = lookup_tangent(resolved.rule.key)
            if rule is None:
                raise NotDifferentiableError(f"srcgrad has an adjoint but no tangent rule for {resolved.label}",
                                             self.ctx.source.origin(self.stmt),
                                             hint="Register one with srcgrad.rules.tangents.tangent.")
            return self.apply_rule(rule, resolved.rule.key, args, keywords)
        if resolved.kind == "user" and not resolved.method and _hashable(obj) and lookup_tangent(obj) is not None:
            return self.apply_rule(lookup_tangent(obj), obj, args, keywords)  # a tangent rule registered alone
        if resolved.kind == "user":
            return self.user_call(call, resolved, args, keywords)
        if resolved.dynamic:
            return self.dynamic_call(call)
        raise no_rule_error(resolved, self.ctx.source.origin(self.stmt))

    def dynamic_call(self, call: gast.Call) -> list[gast.stmt]:
        """A callee known only at run time: `dispatch_jvp` compiles its forward-mode function when the call runs."""
        receiver = receiver_node(call.func, self.fwd.fdef) if self.node_varies(call.func) else None
        if self.node_varies(call.func) and receiver is None:  # taken from something differentiated: no numbers
            self.before.append(syntax.expr_stmt(syntax.call(
                self.ctx.ref(check_constant_callee, "check_constant_callee"), syntax.clone(call.func),
                self.ctx.ref(self.ctx.source.origin(self.stmt), "call_at"))))
        if any(self.node_varies(kw.value) for kw in call.keywords if kw.arg is None):
            raise UnsupportedSyntaxError("srcgrad cannot differentiate values passed with ** to a function",
                                         self.ctx.source.origin(self.stmt), hint="Pass those keyword arguments by name.")
        nodes = [(i, a.value if isinstance(a, gast.Starred) else a) for i, a in enumerate(call.args)] + \
            [(kw.arg, kw.value) for kw in call.keywords if kw.arg is not None]
        active = [(RECEIVER, receiver)] * (receiver is not None) + \
            [(which, node) for which, node in nodes if self.node_varies(node)]
        if not active:
            return self.after(self.fwd.zero_of(syntax.name(self.var)), OWNED)
        arguments, keywords, names, where, *groups = dispatch_arguments(self.ctx, self.stmt, call,
                                                                        [w for w, _ in active])
        tangents = gast.Tuple(elts=[self.real(self.tangent_of(node)) for _, node in active], ctx=gast.Load())
        jvp_call = syntax.call(self.ctx.ref(dispatch_jvp, "dispatch_jvp"), syntax.clone(call.func), arguments,
                               keywords, names, tangents, where, *groups)
        target = gast.Tuple(elts=[syntax.name(self.var, gast.Store),
                                  syntax.name(self.fwd.tangent_name(self.var), gast.Store)], ctx=gast.Store())
        self.fwd.state[self.var] = SHARED
        return self.before + [gast.copy_location(syntax.assign(target, jvp_call), self.stmt)]

    def runtime_call(self, obj: Any, args: list[gast.expr], keywords: dict[str, gast.expr]) -> list[gast.stmt]:
        """A runtime helper of generated gradient code; one that writes into its first argument
        (`index_add_inplace(acc, ...)`) writes into acc's tangent too when that tangent is OWNED."""
        owner = args[0].id if args and isinstance(args[0], gast.Name) else None
        inplace = obj in runtime_tangents.IN_PLACE and owner == self.var and owner in self.fwd.varied \
            and self.fwd.state.get(owner) == OWNED
        stmts = self.apply_rule(lookup_tangent(obj), obj, args, keywords)
        if inplace:
            name = self.fwd.tangent_name(self.var)
            for i, stmt in enumerate(stmts):
                if isinstance(stmt, gast.Assign) and syntax.is_name(stmt.targets[0], name) \
                        and isinstance(stmt.value, gast.Call) \
                        and _object_of(stmt.value.func) is runtime_tangents.IN_PLACE[obj] \
                        and syntax.is_name(stmt.value.args[0], name):
                    stmt.value.func = self.fwd.inplace_call(obj)
                    self.fwd.state[self.var] = OWNED
        elif obj in runtime_tangents.IN_PLACE:  # the copying version returns a fresh tangent
            self.fwd.state[self.var] = OWNED
        return stmts

    def apply_rule(self, rule: registry.Rule | None, key: Any, args: list[gast.expr],
                   keywords: dict[str, gast.expr]) -> list[gast.stmt]:
        if rule is None:  # non-differentiable operator
            return self.after(self.fwd.zero_of(syntax.name(self.var)), OWNED)
        # operands that are expressions (not atoms) stand in placeholders, named only if the tangent reads them
        holes: dict[str, gast.expr] = {}

        def hole(node: gast.expr) -> gast.expr:
            if isinstance(node, (gast.Tuple, gast.List)) and not is_atom(node):
                return type(node)(elts=[hole(e) for e in node.elts], ctx=gast.Load())
            if is_atom(node) or isinstance(node, (gast.Tuple, gast.List, gast.Dict)):
                return node
            placeholder = f"__srcgrad_hole{len(holes)}__"
            holes[placeholder] = node
            marked = syntax.name(placeholder)
            return marked

        args = [hole(a) for a in args]
        keywords = {k: hole(v) for k, v in keywords.items()}
        try:
            bindings = bind_arguments(rule, args, keywords, self.ctx.ref)
        except TypeError as exc:
            raise NotDifferentiableError(
                f"the tangent rule for {rule.name} does not accept this call ({exc})",
                self.ctx.source.origin(self.stmt),
                hint="Call it with the arguments its NumPy signature documents.") from None
        given = rule.signature.bind(*args, **keywords).arguments
        for param, node in bindings.items():
            if param not in given and isinstance(node, gast.Constant):
                node.defaulted = True
        overwrites = self.var in syntax.names_loaded(self.stmt.value)
        bindings[rule.result] = syntax.name(_RESULT if overwrites else self.var)
        stmts, tangent = instantiate(rule, bindings, self.tangent_of, self.ctx.namer.fresh, self.ctx.ref,
                                     lambda call: _zero_call(call))
        if tangent is None or is_zero(tangent):
            tangent = self.fwd.zero_of(syntax.name(self.var))
            stmts = []
        tangent = self.drop_broadcast(self.real(tangent), key, args, keywords)
        for stmt in stmts:  # the template's own statements may read tangents that are symbolic zeros too
            if isinstance(stmt, gast.Assign) and any(is_zero(n) for n in gast.walk(stmt.value)):
                stmt.value = self.real(fold(stmt.value, lambda call: _zero_call(call)))
        state = OWNED if isinstance(tangent, (gast.BinOp, gast.UnaryOp)) else SHARED
        out_stmts = stmts + [syntax.assign(self.fwd.tangent_name(self.var), tangent)]
        # name the placeholders the tangent reads, and compute them once, before the primal
        used = set().union(*(syntax.names_loaded(s) for s in out_stmts))
        renames = {}
        memo: dict[int, Any] = {}
        primal = copy.deepcopy(self.stmt, memo)  # the tree is not ours to change (loops build their body twice)
        for placeholder, node in holes.items():
            if placeholder in used:
                temp = self.ctx.namer.numbered("_a")
                renames[placeholder] = temp
                self.before.append(gast.copy_location(syntax.assign(temp, syntax.clone(node)), self.stmt))
                primal.value = _replace(primal.value, memo[id(node)], syntax.name(temp))
        self.stmt = primal
        out_stmts = [syntax.Rename(renames).visit(s) for s in out_stmts]
        self.fwd.state[self.var] = state
        if not overwrites:
            return self.before + [self.stmt] + out_stmts
        if _RESULT not in used:  # the tangent reads only the old operands: compute it first
            return self.before + out_stmts + [self.stmt]
        result = self.ctx.namer.numbered("_r")
        out_stmts = [syntax.Rename({_RESULT: result}).visit(s) for s in out_stmts]
        primal = gast.copy_location(syntax.assign(result, self.stmt.value), self.stmt)
        return self.before + [primal] + out_stmts + [gast.copy_location(syntax.assign(self.var, syntax.name(result)),
                                                                        self.stmt)]

    def drop_broadcast(self, tangent: gast.expr, key: Any, args: list[gast.expr], keywords: dict) -> gast.expr:
        """`broadcast_like(e, z)` is `e` when nothing was broadcast away: numbers only, a scalar
        partner, or an elementwise operation whose operands all vary."""
        if not (isinstance(tangent, gast.Call) and _object_of(tangent.func) is helpers.broadcast_like):
            return tangent
        numbers = bool(args) and all(self.is_number(a) for a in args) and not keywords
        partner = len(args) == 2 and any(_is_scalar_constant(a) for a in args)
        same = len(args) == 2 and all(isinstance(a, gast.Name) for a in args) and args[0].id == args[1].id
        both = _elementwise(key) and not keywords and len(args) == 2 and all(self.varies(a) for a in args)
        if numbers or (partner and _elementwise(key)) or same or both:
            return tangent.args[0]
        return tangent

    def is_number(self, node: gast.expr) -> bool:
        if isinstance(node, gast.Name):
            return node.id in self.fwd.numbers
        return _is_scalar_constant(node)

    def user_call(self, call: gast.Call, resolved, args: list[gast.expr], keywords: dict) -> list[gast.stmt]:
        callee = _real_callee(resolved.obj)
        try:
            bound = inspect.signature(callee).bind(*args, **keywords)
        except TypeError as exc:
            raise NotDifferentiableError(f"cannot match this call to {resolved.label}: {exc}",
                                         self.ctx.source.origin(self.stmt)) from None
        bound.apply_defaults()
        free = getattr(callee, "free", ())  # outer locals a nested function reads
        arguments = {p: (v if isinstance(v, gast.AST) else value_node(v, self.ctx.ref))
                     for p, v in bound.arguments.items()} | {f: syntax.name(f) for f in free}
        active = tuple(p for p, node in arguments.items() if self.node_varies(node))
        if not active:
            return self.after(self.fwd.zero_of(syntax.name(self.var)), OWNED)
        known = None
        if resolved.receiver is not None:
            known = {next(iter(inspect.signature(callee).parameters)): resolved.receiver}
        function = self.fwd.jvp_of(callee, active, self.ctx.source.origin(self.stmt), known)
        base = re.sub(r"\W", "", callee.__name__).strip("_") or "f"  # `<lambda>` -> lambda
        fn = self.ctx.ref(function, f"{base}_jvp")
        tangents = [self.real(self.tangent_of(arguments[p])) for p in active]
        jvp_call = syntax.call(fn, *[syntax.clone(v) for v in arguments.values()], *tangents)
        target = gast.Tuple(elts=[syntax.name(self.var, gast.Store),
                                  syntax.name(self.fwd.tangent_name(self.var), gast.Store)], ctx=gast.Store())
        self.fwd.state[self.var] = SHARED
        return [gast.copy_location(syntax.assign(target, jvp_call), self.stmt)]


