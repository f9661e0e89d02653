"""The backward block of one A-normal-form statement `y = <operation on atoms>`.

Dispatch on the operation: an operator or a call with a rule instantiates its template; a
subscript read scatters into the container's adjoint; a display (tuple, list, dict) hands each
element its part; a call to a user function calls that function's backward half.
"""
import inspect
import re
import operator
from typing import TYPE_CHECKING

import gast
import numpy as np

from srcgrad import syntax
from srcgrad.errors import NotDifferentiableError, UnsupportedSyntaxError
from srcgrad.passes.analyses.activity import NONDIFF_ATTRIBUTES, reads_varied
from srcgrad.passes.analyses.sequences import is_concatenation, is_repetition
from srcgrad.rules import registry
from srcgrad.runtime.arrays import count
from srcgrad.runtime import records
from srcgrad.runtime.dispatch import RECEIVER
from srcgrad.transforms.reverse.templates import bind_arguments, instantiate

if TYPE_CHECKING:
    from srcgrad.transforms.reverse.sweep import Reverse


_ITERATORS = (enumerate, zip, reversed, iter, next, filter)


def no_rule_error(resolved, origin) -> NotDifferentiableError:
    """A call with no rule and no Python source: name the function and show the rule that would fix it."""
    label = resolved.label
    if isinstance(resolved.obj, type) and records.is_record_class(resolved.obj):
        return NotDifferentiableError(
            f"srcgrad cannot yet differentiate building a {label} (a NamedTuple or dataclass) inside the function",
            origin, hint=f"Pass the {label} in as an argument (its fields are differentiated and the gradient comes "
            f"back as a {label}), or keep intermediate values in local variables, a dict or a tuple.")
    if any(resolved.obj is it for it in _ITERATORS):
        return NotDifferentiableError(
            f"srcgrad differentiates {label}(...) only as the iterable of a for loop or a comprehension", origin,
            hint=f"Loop over it directly (`for i, e in {label}(x):`, not `for i, e in list({label}(x)):`), "
                 "or build the list with a comprehension.")
    try:
        params = [p for p in inspect.signature(resolved.obj).parameters if p not in ("self", "args", "kwargs")]
    except (TypeError, ValueError):
        params = []
    params = params[:3] or ["x"]
    example = (f"    @srcgrad.adjoint({label})\n    def _(y, {', '.join(params)}):\n"
               f"        d[{params[0]}] = ...   # its adjoint from d[y] (elementwise: d[y] * the derivative)")
    if getattr(resolved, "library", False):
        module = getattr(resolved.obj, "__module__", "") or ""
        what = (f"it belongs to the installed package {module.split('.')[0]}, whose source srcgrad does not "
                "differentiate")
        extra = (f", or let srcgrad differentiate that package's source with "
                 f"srcgrad.differentiate_source({module.split('.')[0]!r})")
    else:
        what = ("a compiled function, so there is no Python source to differentiate" if resolved.obj is not None
                else "a name srcgrad cannot look up")
        extra = ""
    return NotDifferentiableError(
        f"srcgrad has no derivative rule for {label} ({what})", origin,
        hint=f"Give it a rule, for example\n{example}\nor mark it with srcgrad.nondifferentiable({label}) if its "
        f"output carries no derivative{extra}, or call srcgrad.stop_gradient on its arguments.")


def dispatch_arguments(ctx, stmt: gast.stmt, call: gast.Call, active: list) -> list[gast.expr]:
    """`(args...), {keywords...}, (active...), <call site>[, groups]` for dispatch_fwd / dispatch_jvp: the
    arguments as written (`*xs` stays starred), and for starred ones how many each stands for when it runs."""
    arguments = gast.Tuple(elts=[syntax.clone(a) for a in call.args], ctx=gast.Load())
    keywords = gast.Dict(keys=[None if kw.arg is None else syntax.const(kw.arg) for kw in call.keywords],
                         values=[syntax.clone(kw.value) for kw in call.keywords])
    where = ctx.ref(ctx.source.origin(stmt), "call_at")
    out = [arguments, keywords, gast.Tuple(elts=[syntax.const(a) for a in active], ctx=gast.Load()), where]
    if any(isinstance(a, gast.Starred) for a in call.args):
        groups = [gast.Tuple(elts=[syntax.call(ctx.ref(len, "len"), syntax.clone(a.value)), syntax.const(True)],
                             ctx=gast.Load()) if isinstance(a, gast.Starred)
                  else gast.Tuple(elts=[syntax.const(1), syntax.const(False)], ctx=gast.Load()) for a in call.args]
        out.append(gast.Tuple(elts=groups, ctx=gast.Load()))
    return out


def receiver_node(func: gast.expr, fdef: gast.FunctionDef) -> gast.Name | None:
    """The variable a callee is read from when it may be a record's method (runtime/dispatch.py: RECEIVER):
    `layer` in `layer.forward(x)` or `layer(x)`, for a `layer` passed in or read from a container; None for
    other callees (an object or function built here, `partial(g, c=w)`, has no adjoint to receive)."""
    if isinstance(func, gast.Attribute):
        func = func.value
    if not isinstance(func, gast.Name):
        return None
    for node in gast.walk(fdef):
        if isinstance(node, gast.Assign) and any(func.id in syntax.names_stored(t) for t in node.targets) \
                and not isinstance(node.value, gast.Name | gast.Subscript | gast.Attribute):
            return None
    return func


def is_array_property(attr: str) -> bool:
    """Whether `x.attr` read without a call is an array's value (`x.T`), so an array rule applies to it; a method
    name read alone (`p.mean`, a field of a record) is not."""
    return hasattr(np.ndarray, attr) and not callable(getattr(np.ndarray, attr))


def index_value(node: gast.expr) -> gast.expr:
    """A subscript's index as an ordinary expression (`1:3` -> `slice(1, 3, None)`)."""
    if isinstance(node, gast.Slice):
        parts = [syntax.const(None) if p is None else syntax.clone(p) for p in (node.lower, node.upper, node.step)]
        return syntax.call("slice", *parts)
    if isinstance(node, gast.Tuple):
        return gast.Tuple(elts=[index_value(e) for e in node.elts], ctx=gast.Load())
    return syntax.clone(node)


def _is_scalar_constant(node: gast.expr) -> bool:
    if isinstance(node, gast.UnaryOp):
        node = node.operand
    return isinstance(node, gast.Constant) and type(node.value) in (int, float)


SAME_OPERANDS = syntax.name("<both operands>")
# rules (besides elementwise ufuncs and operators) whose templates broadcast a scalar adjoint correctly
_UNIFORM_FRIENDLY = frozenset({np.where, np.clip})  # `x * x`: neither operand was broadcast


def _elementwise(key) -> bool:
    """Binary operators and two-argument ufuncs: their result has the broadcast shape of the operands."""
    if isinstance(key, type) and issubclass(key, gast.operator):
        return key is not gast.MatMult
    return isinstance(key, np.ufunc) and key.nin == 2 and key is not np.matmul


def _broadcast_partner(args: list[gast.expr]) -> gast.Name | None:
    """In a binary operation with a scalar constant, the other operand: its adjoint needs no unbroadcast."""
    if len(args) == 2 and syntax.is_name(args[0]) and syntax.is_name(args[1], args[0].id):
        return SAME_OPERANDS
    if len(args) == 2 and isinstance(args[0], gast.Name) and _is_scalar_constant(args[1]):
        return args[0]
    if len(args) == 2 and isinstance(args[1], gast.Name) and _is_scalar_constant(args[0]):
        return args[1]
    return None


class StatementAdjoint:
    """Builds the backward statements for one forward statement, writing adjoints through `rev.adjoints`."""

    def __init__(self, rev: "Reverse", stmt: gast.stmt, incoming: gast.expr, result: str, uniform: bool = False):
        self.uniform = uniform  # the incoming adjoint may be a scalar standing for a uniform array
        self.rev = rev
        self.ctx = rev.ctx
        self.stmt = stmt
        self.target = result  # the name holding the statement's result during its backward block
        self.incoming = incoming
        self.out: list[gast.stmt] = []

    # -- writing adjoints -------------------------------------------------------------------

    def varies(self, node: gast.expr) -> bool:
        return isinstance(node, gast.Name) and node.id in self.rev.varied

    def write(self, node: gast.expr, value: gast.expr, uniform: bool = False) -> None:
        """Accumulate `value` into the adjoint of the atom or display `node`."""
        if isinstance(node, gast.Name):
            if node.id in self.rev.varied:
                self.rev.adjoints.write(node.id, value, self.out, uniform)
        elif isinstance(node, (gast.Tuple, gast.List)):
            # names and displays of names (`[[x, z]]`): every element that holds something varied
            elements = [(i, e) for i, e in enumerate(node.elts) if self.node_varies(e)]
            if not elements:
                return
            if len(elements) == 1 and isinstance(value, (gast.List, gast.Tuple)) and len(value.elts) == len(node.elts):
                i, elt = elements[0]
                self.write(elt, value.elts[i])
                return
            temp = self.ctx.namer.numbered("_g")
            self.out.append(syntax.assign(temp, value))
            for i, elt in elements:
                self.write(elt, syntax.call(self.rev.helper("item_adjoint"), syntax.name(temp), syntax.const(i),
                                            syntax.clone(elt)))
        elif isinstance(node, gast.Dict):
            temp = self.ctx.namer.numbered("_g")
            self.out.append(syntax.assign(temp, value))
            self.dict_display(node, syntax.name(temp))

    def dict_display(self, node: gast.Dict, incoming: gast.expr) -> None:
        """`{"k": v, **a}`: each part gets its entries of the display's adjoint; a later part overrides an earlier."""
        parts = list(zip(node.keys, node.values, strict=True))
        plain = all(key is not None for key, _ in parts) and len({gast.dump(k) for k, _ in parts}) == len(parts)
        for i, (key, elt) in enumerate(parts):
            if not self.varies(elt):
                continue
            if plain:  # distinct keys, no unpacking: an item each
                self.write(elt, syntax.call(self.rev.helper("item_adjoint"), syntax.clone(incoming), syntax.clone(key),
                                            syntax.clone(elt)))
                continue
            later = parts[i + 1:]
            later_keys = gast.Tuple(elts=[syntax.clone(k) for k, _ in later if k is not None], ctx=gast.Load())
            later_dicts = gast.Tuple(elts=[syntax.clone(v) for k, v in later if k is None], ctx=gast.Load())
            self.write(elt, syntax.call(self.rev.helper("dict_entry_adjoint"), syntax.clone(incoming),
                                        syntax.const(None) if key is None else syntax.clone(key), syntax.clone(elt),
                                        later_keys, later_dicts))

    def write_index(self, node: gast.expr, primal: gast.expr, index: gast.expr, value: gast.expr) -> None:
        if isinstance(node, gast.Name):
            if node.id in self.rev.varied:
                self.rev.adjoints.write_index(node.id, primal, index, value, self.rev.helpers(), self.out)
        else:
            self.write(node, syntax.call(self.rev.helper("index_grad"), primal, index, value))

    def apply_rule(self, rule: registry.Rule, args: list[gast.expr], keywords: dict[str, gast.expr]) -> None:
        try:
            bindings = bind_arguments(rule, args, keywords, self.ctx.ref)
        except TypeError as exc:
            raise NotDifferentiableError(
                f"the derivative rule for {rule.name} does not accept this call ({exc})",
                self.ctx.source.origin(self.stmt),
                hint="Call it with the arguments its NumPy signature documents, or register your own rule "
                "with @srcgrad.adjoint.",
            ) from None
        bindings[rule.result] = syntax.name(self.target)
        partner = _broadcast_partner(args) if not keywords and _elementwise(rule.key) else None
        all_numbers = bool(args) and all(self.is_number(a) for a in args) and not keywords
        for item in instantiate(rule, bindings, self.incoming, self.ctx.namer.fresh, self.ctx.ref):
            if item[0] == "stmt":
                self.out.append(item[1])
            elif item[0] == "write":
                value = item[2]
                if partner is not None and (bindings[item[1]] is partner or partner is SAME_OPERANDS):
                    value = self.without_unbroadcast(value, bindings[item[1]])
                elif all_numbers:  # numbers in, a number out: nothing was broadcast
                    value = self.without_unbroadcast(value, bindings[item[1]])
                uniform = self.uniform and self.maybe_scalar(value, rule)
                if self.uniform:
                    value = self.with_result_shape(value)
                self.write(bindings[item[1]], value, uniform)
            else:
                _, param, primal, index, grad = item
                self.write_index(bindings[param], primal, index, grad)

    def maybe_scalar(self, value: gast.expr, rule: registry.Rule) -> bool:
        """Whether a value built from a uniform (scalar) adjoint may still be a scalar standing for an array.

        Only a one-operand elementwise operation certainly gives a full array: its template multiplies
        the scalar by its operand or result, which have the operand's shape. Anything else (a product
        with the other operand, a division by a reduction, `np.where`) may stay a scalar, so the value
        stays uniform and whatever reads it later counts the elements it stands for.
        """
        key = rule.key
        unary = (isinstance(key, np.ufunc) and key.nin == 1) or key in (gast.USub, gast.UAdd)
        value_node = self.stmt.value
        operands = [value_node.left, value_node.right] if isinstance(value_node, gast.BinOp) else \
            list(value_node.args) if isinstance(value_node, gast.Call) else []
        partner = _broadcast_partner(operands) if len(operands) == 2 and _elementwise(key) else None
        # the result has the full shape; so do the operands of `-x`, `tanh(x)`, `x * x`, `x ** 2`
        full_shaped = {self.target}
        if unary or partner is not None:
            full_shaped |= {n.id for n in gast.walk(value_node) if isinstance(n, gast.Name)}
        full_shaped -= set(self.rev.numbers)
        helper = self.rev.helper("unbroadcast").id
        shape_only = {id(a) for n in gast.walk(value) if isinstance(n, gast.Call) and syntax.is_name(n.func, helper)
                      for a in n.args[1:]}
        operands = full_shaped
        return not any(isinstance(node, gast.Name) and isinstance(node.ctx, gast.Load) and id(node) not in shape_only
                       and node.id in operands and node.id in self.rev.locals for node in gast.walk(value))

    def with_result_shape(self, value: gast.expr) -> gast.expr:
        """`unbroadcast(g, x)` -> `unbroadcast(g, x, y)`: a scalar g then counts y's elements."""
        helper = self.rev.helper("unbroadcast").id
        for node in gast.walk(value):
            if isinstance(node, gast.Call) and syntax.is_name(node.func, helper) and len(node.args) == 2:
                node.args.append(syntax.name(self.target))
        return value

    def accepts_uniform(self, value: gast.expr) -> bool:
        """Operations whose adjoint templates broadcast a scalar incoming adjoint correctly."""
        if isinstance(value, (gast.Name, gast.Constant, gast.UnaryOp)):
            return True
        if isinstance(value, gast.BinOp):
            return not isinstance(value.op, gast.MatMult)
        if isinstance(value, gast.Call):
            resolved = self.rev.resolved.get(id(value))
            if resolved is None or resolved.kind != "rule":
                return False
            key = resolved.rule.key
            if isinstance(key, np.ufunc):
                return key.nin in (1, 2) and key is not np.matmul
            return key in _UNIFORM_FRIENDLY
        return False

    def without_unbroadcast(self, value: gast.expr, operand: gast.expr) -> gast.expr:
        """`unbroadcast(g, x)` is `g` when x's partner in a binary operation is a scalar constant or x itself."""
        if (isinstance(value, gast.Call) and isinstance(operand, gast.Name) and len(value.args) == 2 and syntax.is_name(value.args[1], operand.id)
                and syntax.is_name(value.func, self.rev.helper("unbroadcast").id)):
            return value.args[0]
        return value

    # -- dispatch ---------------------------------------------------------------------------

    def build(self) -> list[gast.stmt]:
        value = self.stmt.value
        implicit = {name: fn.free for name, fn in self.ctx.local_functions.items()}
        resolved = self.rev.resolved
        if not reads_varied(value, self.rev.varied,
                            lambda call: id(call) not in resolved or resolved[id(call)].kind != "nondiff", implicit):
            return self.out  # the value does not depend differentiably on anything varied
        if self.uniform and not self.accepts_uniform(value):
            full = self.ctx.namer.numbered("_e")
            self.out.append(syntax.assign(full, syntax.call(self.rev.helper("expand"), self.incoming,
                                                            syntax.name(self.target))))
            self.incoming, self.uniform = syntax.name(full), False
        if isinstance(value, (gast.Name, gast.Constant)):
            self.write(value, self.incoming, self.uniform)
        elif isinstance(value, gast.BinOp) and isinstance(value.op, gast.Add) \
                and is_concatenation(value.left, value.right, self.rev.sequences):
            self.concatenation(value.left, value.right)
        elif isinstance(value, gast.BinOp) and isinstance(value.op, gast.Mult) \
                and is_repetition(value.left, value.right, self.rev.sequences, self.rev.numbers) is not None:
            operand = is_repetition(value.left, value.right, self.rev.sequences, self.rev.numbers)
            count = value.right if operand is value.left else value.left
            self.write(operand, syntax.call(self.rev.helper("repeat_adjoint"), self.incoming, syntax.clone(operand),
                                            syntax.clone(count)))
        elif isinstance(value, gast.BinOp):
            self.apply_rule(self.rule_for(type(value.op), value), [value.left, value.right], {})
        elif isinstance(value, gast.UnaryOp):
            self.apply_rule(self.rule_for(type(value.op), value), [value.operand], {})
        elif isinstance(value, gast.Subscript):
            self.write_index(value.value, syntax.clone(value.value), index_value(value.slice), self.incoming)
        elif isinstance(value, gast.Attribute):
            self.attribute(value)
        elif isinstance(value, (gast.Tuple, gast.List)):
            for i, elt in enumerate(value.elts):
                if self.varies(elt):
                    self.write(elt, syntax.call(self.rev.helper("item_adjoint"), self.incoming, syntax.const(i),
                                                syntax.clone(elt)))
        elif isinstance(value, gast.Dict):
            self.dict_display(value, self.incoming)
        elif isinstance(value, gast.Call):
            self.call(value)
        elif isinstance(value, (gast.Compare, gast.BoolOp)):
            pass
        else:
            raise UnsupportedSyntaxError(
                f"srcgrad cannot differentiate the expression {type(value).__name__}",
                self.ctx.source.origin(self.stmt), hint="Rewrite it with arithmetic and NumPy calls.")
        return self.out

    def concatenation(self, left: gast.expr, right: gast.expr) -> None:
        """`z = x + y` on lists or tuples: x gets the first len(x) items of z's adjoint, y the rest."""
        length = syntax.call(self.ctx.ref(len, "len"), syntax.clone(left))
        for operand, start in ((left, syntax.const(0)), (right, length)):
            if self.node_varies(operand):
                self.write(operand, syntax.call(self.rev.helper("part_adjoint"), self.incoming, start,
                                                syntax.clone(operand)))

    def rule_for(self, key, node: gast.AST) -> registry.Rule | None:
        rule = registry.lookup(key)
        if rule is None and not registry.is_nondifferentiable(key):
            raise NotDifferentiableError(
                f"srcgrad has no derivative rule for the operator {key.__name__}",
                self.ctx.source.origin(self.stmt), hint="Rewrite the expression with differentiable operations.")
        return rule

    def attribute(self, value: gast.Attribute) -> None:
        if value.attr in NONDIFF_ATTRIBUTES:
            return
        rule = registry.lookup_method(value.attr) if is_array_property(value.attr) else None
        if rule is None:
            # a field of a named tuple or a dataclass: the adjoint of the entry at its position or name
            index = syntax.call(self.rev.helper("field_index"), syntax.clone(value.value), syntax.const(value.attr),
                                self.ctx.ref(self.ctx.source.origin(self.stmt), "read_at"))
            self.write_index(value.value, syntax.clone(value.value), index, self.incoming)
            return
        self.apply_rule(rule, [value.value], {})

    def call(self, call: gast.Call) -> None:
        resolved = self.rev.resolved[id(call)]
        if resolved.kind == "nondiff":
            return
        if any(isinstance(a, gast.Starred) for a in call.args) or any(k.arg is None for k in call.keywords):
            self.dynamic_call(call)  # `f(y, *args)`: how many arguments there are is known when the call runs
            return
        args = list(call.args)
        keywords = {kw.arg: kw.value for kw in call.keywords}
        if resolved.method:
            args.insert(0, call.func.value)
        if resolved.kind == "rule" and self.full_reduction(resolved.rule, args, keywords):
            incoming = self.incoming
            if resolved.rule.key is np.mean:
                incoming = gast.BinOp(left=incoming, op=gast.Div(), right=syntax.call(
                    self.ctx.ref(count, "count"), syntax.clone(args[0]), syntax.const(None)))
            value = syntax.call(self.rev.helper("uniform_adjoint"), incoming, syntax.clone(args[0]))
            self.write(args[0], value, uniform=True)
            return
        if resolved.kind == "rule":
            if registry.lookup(operator.getitem) is resolved.rule:
                self.write_index(args[0], syntax.clone(args[0]), syntax.clone(args[1]), self.incoming)
                return
            self.apply_rule(resolved.rule, args, keywords)
        elif resolved.kind == "user":
            self.user_call(call, resolved, args, keywords)
        elif resolved.dynamic:
            self.dynamic_call(call)
        else:
            raise no_rule_error(resolved, self.ctx.source.origin(self.stmt))

    def dynamic_call(self, call: gast.Call) -> None:
        """A callee known only at run time: `dispatch_fwd` compiles its split gradient when the call runs."""
        if self.rev.pure:
            raise UnsupportedSyntaxError(
                "srcgrad cannot yet take a second derivative through a call whose function is known only "
                "at run time", self.ctx.source.origin(self.stmt),
                hint="Call the function by its name (a global or a function defined in the loss).")
        receiver = receiver_node(call.func, self.rev.fdef) if self.node_varies(call.func) else None
        if self.node_varies(call.func) and receiver is None:  # taken from something differentiated: no numbers
            self.rev.callee_checks[id(self.stmt)] = syntax.expr_stmt(syntax.call(
                self.rev.helper("check_constant_callee"), syntax.clone(call.func),
                self.ctx.ref(self.ctx.source.origin(self.stmt), "call_at")))
        unpacked = [kw.value for kw in call.keywords if kw.arg is None]
        if any(self.node_varies(v) for v in unpacked):
            raise UnsupportedSyntaxError(
                "srcgrad cannot differentiate values passed with ** to a function", self.ctx.source.origin(self.stmt),
                hint="Pass those keyword arguments by name.")
        active = [RECEIVER] * (receiver is not None) + [i for i, a in enumerate(call.args) if self.node_varies(a)] \
            + [kw.arg for kw in call.keywords if kw.arg is not None and self.node_varies(kw.value)]
        if not active:
            return
        tape = syntax.name(self.rev.tape)
        forward = syntax.call(self.rev.helper("dispatch_fwd"), tape, syntax.clone(call.func),
                              *dispatch_arguments(self.ctx, self.stmt, call, active))
        self.rev.split_calls[id(self.stmt)] = forward
        temp = self.ctx.namer.numbered("_g")
        self.out.append(syntax.assign(temp, syntax.call(self.rev.helper("dispatch_bwd"), syntax.clone(tape),
                                                        self.incoming)))
        nodes = {i: a.value if isinstance(a, gast.Starred) else a for i, a in enumerate(call.args)} | \
            {kw.arg: kw.value for kw in call.keywords if kw.arg is not None} | {RECEIVER: receiver}
        for i, which in enumerate(active):
            part = gast.Subscript(value=syntax.name(temp), slice=syntax.const(i), ctx=gast.Load())
            self.write(nodes[which], part)

    def full_reduction(self, rule: registry.Rule, args: list[gast.expr], keywords: dict) -> bool:
        """`np.sum(x)` or `np.mean(x)` of a whole array, outside branches and loops, in code that is not
        differentiated again: its adjoint can stay a scalar (see Adjoints.uniform)."""
        return (rule.key in (np.sum, np.mean) and len(args) == 1 and not keywords
                and isinstance(args[0], gast.Name) and args[0].id in self.rev.varied
                and args[0].id not in self.rev.numbers and not self.rev.pure and not self.rev._compound_depth)

    def user_call(self, call: gast.Call, resolved, args: list[gast.expr], keywords: dict[str, gast.expr]) -> None:
        callee = resolved.obj
        try:
            bound = inspect.signature(callee).bind(*args, **keywords)
        except TypeError as exc:
            raise NotDifferentiableError(f"cannot match this call to {resolved.label}: {exc}",
                                         self.ctx.source.origin(self.stmt)) from None
        free = getattr(callee, "free", ())  # outer locals a nested function reads
        arguments = {p: gast.Tuple(elts=list(v), ctx=gast.Load()) if isinstance(v, tuple) else v
                     for p, v in bound.arguments.items()} | {f: syntax.name(f) for f in free}
        active = tuple(p for p, node in arguments.items() if self.node_varies(node))
        if not active:
            return
        known = None
        if resolved.receiver is not None:
            known = {next(iter(inspect.signature(callee).parameters)): resolved.receiver}
        numbers = frozenset(p for p, node in arguments.items() if self.is_number(node))
        split = self.ctx.split_of(callee, active, self.ctx.source.origin(self.stmt), known, numbers)
        base = re.sub(r"\W", "", callee.__name__).strip("_") or "f"  # `<lambda>` -> lambda
        bwd = self.ctx.ref(split.half("bwd"), f"{base}_bwd")
        tape = syntax.name(self.rev.tape)
        # pure code keeps no shared tape: the callee's saved values come back off this function's tape
        grads = syntax.call(bwd, syntax.call(syntax.attr(tape, "pop")) if self.rev.pure else tape, self.incoming)
        fwd = self.ctx.ref(split.half("fwd"), f"{base}_fwd")
        forward = gast.Call(func=fwd, args=([] if self.rev.pure else [syntax.name(self.rev.tape)])
                            + [syntax.clone(a) for a in args],
                            keywords=[gast.keyword(arg=k, value=syntax.clone(v)) for k, v in keywords.items()]
                            + [gast.keyword(arg=f, value=syntax.name(f)) for f in free])
        self.rev.split_calls[id(self.stmt)] = forward
        if len(active) == 1:
            self.write(arguments[active[0]], grads)
            return
        temp = self.ctx.namer.numbered("_g")
        self.out.append(syntax.assign(temp, grads))
        for i, param in enumerate(active):
            part = gast.Subscript(value=syntax.name(temp), slice=syntax.const(i), ctx=gast.Load())
            self.write(arguments[param], part)

    def is_number(self, node) -> bool:
        """Whether an argument node certainly holds a Python number."""
        if isinstance(node, gast.Name):
            return node.id in self.rev.numbers
        return isinstance(node, gast.Constant) and type(node.value) in (int, float)

    def node_varies(self, node) -> bool:
        if isinstance(node, tuple):
            return any(self.node_varies(n) for n in node)
        if isinstance(node, dict):
            return any(self.node_varies(n) for n in node.values())
        return any(isinstance(n, gast.Name) and n.id in self.rev.varied for n in gast.walk(node))
