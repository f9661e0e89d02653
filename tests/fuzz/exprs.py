"""Random NumPy expressions of a known shape, written the way users write them.

`Exprs.expr(scope, target, depth)` returns an `Expr` whose shape broadcasts into `target`
(see `scope.fits`). Values stay bounded: arguments are in [-1.5, 1.5], names are assigned squashed
values (see stmts.py), logs and square roots take positive expressions, divisions divide by them.
Every construct drawn adds a feature tag (`self.features`), which names the program's ingredients
in reports and lets known bugs be recognised by the constructs they need (known.py).
"""
import dataclasses
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

from .scope import Aliases, Scope, Shape, Var, fits

CONSTS = (0.5, 0.3, 0.7, -0.4, 1.1, 0.2, -0.6, 2.0)


def flag(draw: Callable, p_true: float) -> bool:
    """True with probability `p_true`; shrinks to False (hypothesis shrinks integers towards 0)."""
    return draw(st.integers(0, 99)) >= 100 - round(100 * p_true)


@dataclasses.dataclass(frozen=True)
class Expr:
    """Source text, result shape, and the names whose object the value may be (views, bare names)."""

    text: str
    shape: Shape
    alias: frozenset[str] = frozenset()


@dataclasses.dataclass(frozen=True)
class Helper:
    """A generated helper function: parameters (name, shape or None for an int, default text or None)."""

    name: str
    params: tuple[tuple[str, Shape | None, str | None], ...]
    ret: Shape
    ret_alias: frozenset[str]  # parameters the helper may return as they are


class Exprs:
    """Draws expressions; `draw` is hypothesis's. Shared state: dimensions, helpers, features."""

    def __init__(self, draw: Callable, n: int, m: int, depth: int = 2) -> None:
        self.draw = draw
        self.n, self.m = n, m
        self.depth = depth  # default nesting of expressions
        self.features: set[str] = set()
        self.helpers: list[Helper] = []
        self.aliases = Aliases()
        self.random_state: str | None = None  # name of a RandomState created in f
        self.global_random = False
        self.counter = 0

    # ---- drawing primitives (first option = simplest, hypothesis shrinks towards it)

    def choice(self, options: list | tuple) -> Any:
        return self.draw(st.sampled_from(list(options)))

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def coin(self, p_true: float = 0.5) -> bool:
        return flag(self.draw, p_true)

    def fresh(self, prefix: str) -> str:
        self.counter += 1
        return f"{prefix}{self.counter}"

    def feature(self, *names: str) -> None:
        self.features.update(names)

    @property
    def shapes(self) -> list[Shape]:
        n, m = self.n, self.m
        return [(), (m,), (n, m), (n, 1), (1, m), (1,)]

    def shapes_into(self, target: Shape) -> list[Shape]:
        return [s for s in self.shapes if fits(s, target)]

    def const(self) -> str:
        return repr(self.choice(CONSTS))

    def index(self, scope: Scope, size: int) -> str:
        options = ["0", "-1"] + ([str(size - 1), "1"] if size > 1 else []) + [f"{i} % {size}" for i in scope.ints]
        return self.choice(options)

    def shape_text(self, shape: Shape) -> str:
        return str(shape[0]) if len(shape) == 1 else repr(shape)

    # ---- expressions

    def expr(self, scope: Scope, target: Shape, depth: int | None = None) -> Expr:
        """An expression whose shape broadcasts into `target`."""
        depth = self.depth if depth is None else depth
        if depth <= 0:
            return self.leaf(scope, target)
        kinds = ["leaf", "binary", "binary", "unary", "scale", "reduce", "divide", "power", "maximum",
                 "ifexp", "axis", "sequence", "index"]
        if target == ():
            kinds += ["math", "minmax", "dot"]
        if self.helpers:
            kinds += ["call", "call"]
        if scope.lists:
            kinds += ["list_read"]
        if self.random_state or self.global_random:
            kinds += ["random"]
        kinds += ["comprehension"]
        return getattr(self, "_" + self.choice(kinds))(scope, target, depth - 1)

    def scalar(self, scope: Scope, depth: int | None = None) -> Expr:
        return self.expr(scope, (), depth)

    def exact(self, scope: Scope, shape: Shape, depth: int | None = None) -> Expr:
        """An expression of exactly `shape` (broadcast up with `np.zeros` when needed)."""
        e = self.expr(scope, shape, depth)
        if e.shape == shape:
            return e
        same = scope.with_shape(shape, exact=True)
        if same and self.coin(0.7):
            return Expr(f"({e.text} {self.choice(['*', '+'])} {self.choice(same).name})", shape)
        return Expr(f"({e.text} + np.zeros({self.shape_text(shape) if shape else '()'}))", shape)

    def leaf(self, scope: Scope, target: Shape) -> Expr:
        names = scope.with_shape(target)
        kinds = ["name", "name", "const"] if names else ["const"]
        if scope.ints:
            kinds.append("int")
        arrays = [v for v in scope.floats.values() if v.shape]
        if target == () and arrays:
            kinds.append("item")
        elems = [h for h, s in scope.lists.items() if fits(s, target)]
        if elems:
            kinds.append("element")
        kind = self.choice(kinds)
        if kind == "name":
            v = self.choice(names)
            return Expr(v.name, v.shape, frozenset([v.name]))
        if kind == "int":
            self.feature("int_in_float")
            return Expr(f"{self.choice(['0.1', '0.25'])} * {self.choice(scope.ints)}", ())
        if kind == "item":
            v = self.choice(arrays)
            self.feature("index_scalar")
            return Expr(f"{v.name}[{', '.join(self.index(scope, d) for d in v.shape)}]", ())
        if kind == "element":
            h = self.choice(elems)
            self.feature("list_index")
            return Expr(f"{h}[{self.choice(['-1', '0', f'len({h}) // 2'])}]", scope.lists[h], frozenset([h]))
        return Expr(self.const(), ())

    def positive(self, scope: Scope, target: Shape, depth: int) -> Expr:
        """An expression with positive values (for log, sqrt, division and fractional powers)."""
        params = [v for v in scope.floats.values() if v.positive and fits(v.shape, target)]
        kinds = ["square", "exp", "abs", "shift", "reduction"] + (["param", "param"] if params else [])
        if any(v.positive and v.shape for v in scope.floats.values()):
            kinds.append("sum")
        kind = self.choice(kinds)
        if kind == "param":
            v = self.choice(params)
            return Expr(v.name, v.shape)
        if kind == "sum":
            v = self.choice([v for v in scope.floats.values() if v.positive and v.shape])
            self.feature("reduce_denominator")
            return Expr(f"np.sum({v.name})", ())
        if kind == "reduction":  # a positive reduction of an array: sums as denominators
            e = self.exact(scope, self.choice([s for s in self.shapes if s]), depth)
            self.feature("reduce_denominator")
            return Expr(self.choice([f"(np.sum({e.text} * {e.text}) + 0.5)", f"np.mean(np.exp({e.text}))",
                                     f"(np.sum(np.abs({e.text})) + 0.1)"]), ())
        e = self.expr(scope, target, depth)
        text = {"square": f"(1.0 + {e.text} * {e.text})", "exp": f"np.exp(np.tanh({e.text}))",
                "abs": f"(np.abs({e.text}) + 0.5)", "shift": f"(2.0 + np.sin({e.text}))"}[kind]
        return Expr(text, e.shape)

    def _leaf(self, scope: Scope, target: Shape, depth: int) -> Expr:
        return self.leaf(scope, target)

    def _binary(self, scope: Scope, target: Shape, depth: int) -> Expr:
        a, b = self.expr(scope, target, depth), self.expr(scope, target, depth)
        op = self.choice(["+", "*", "-"])
        if a.shape != b.shape:
            self.feature("broadcast")
        return Expr(f"({a.text} {op} {b.text})", np.broadcast_shapes(a.shape, b.shape))

    def _unary(self, scope: Scope, target: Shape, depth: int) -> Expr:
        e = self.expr(scope, target, depth)
        fn = self.choice(["np.tanh", "np.sin", "np.cos", "-", "np.arctan", "np.exp(np.sin", "np.abs", "abs",
                          "np.square"])
        self.feature({"np.abs": "abs", "abs": "abs"}.get(fn, "elementwise"))
        if fn == "-":
            return Expr(f"(-{e.text})", e.shape)
        if fn == "np.exp(np.sin":
            return Expr(f"np.exp(np.sin({e.text}))", e.shape)
        return Expr(f"{fn}({e.text})", e.shape)

    def _scale(self, scope: Scope, target: Shape, depth: int) -> Expr:
        e = self.expr(scope, target, depth)
        return Expr(f"{self.const()} * {e.text}", e.shape)

    def _divide(self, scope: Scope, target: Shape, depth: int) -> Expr:
        e, d = self.expr(scope, target, depth), self.positive(scope, target, depth)
        self.feature("divide")
        return Expr(f"({e.text} / {d.text})", np.broadcast_shapes(e.shape, d.shape))

    def _power(self, scope: Scope, target: Shape, depth: int) -> Expr:
        kind = self.choice(["square", "cube", "sqrt", "log", "half", "pow_var", "pow_base"])
        self.feature("power" if kind != "log" else "log")
        if kind in ("square", "cube"):
            e = self.expr(scope, target, depth)
            return Expr(f"{e.text} ** {2 if kind == 'square' else 3}", e.shape)
        p = self.positive(scope, target, depth)
        if kind == "sqrt":
            return Expr(f"np.sqrt({p.text})", p.shape)
        if kind == "log":
            return Expr(f"np.log({p.text})", p.shape)
        if kind == "half":
            return Expr(f"{p.text} ** {self.choice(['0.5', '1.5'])}", p.shape)
        e = self.expr(scope, target, depth)
        if kind == "pow_var":
            return Expr(f"{p.text} ** np.tanh({e.text})", np.broadcast_shapes(p.shape, e.shape))
        return Expr(f"2.0 ** np.tanh({e.text})", e.shape)

    def _maximum(self, scope: Scope, target: Shape, depth: int) -> Expr:
        a = self.expr(scope, target, depth)
        kind = self.choice(["maximum", "minimum", "clip", "where"])
        self.feature(kind)
        if kind == "clip":
            return Expr(f"np.clip({a.text}, -0.5, 0.8)", a.shape)
        b = self.expr(scope, target, depth)
        if kind != "where":
            return Expr(f"np.{kind}({a.text}, {b.text})", np.broadcast_shapes(a.shape, b.shape))
        c = self.expr(scope, target, max(depth - 1, 0))
        shape = np.broadcast_shapes(a.shape, b.shape, c.shape)
        return Expr(f"np.where({c.text} > {self.const()}, {a.text}, {b.text})", shape)

    def _ifexp(self, scope: Scope, target: Shape, depth: int) -> Expr:
        a = self.expr(scope, target, depth)
        b = self.exact(scope, a.shape, depth)
        self.feature("ifexp")
        return Expr(f"({a.text} if {self.cond(scope, depth)} else {b.text})", a.shape, a.alias | b.alias)

    def _math(self, scope: Scope, target: Shape, depth: int) -> Expr:
        e = self.scalar(scope, depth)
        self.feature("math")
        form = self.choice(["math.sin({})", "math.tanh({})", "math.cos({})", "math.exp(math.sin({}))",
                            "math.sqrt(1.0 + {0} * {0})", "math.log(1.0 + {0} * {0})", "math.atan({})"])
        return Expr(form.format(e.text), ())

    def _minmax(self, scope: Scope, target: Shape, depth: int) -> Expr:
        a, b = self.scalar(scope, depth), self.scalar(scope, depth)
        fn = self.choice(["max", "min", "abs"])
        self.feature("builtin_" + fn)
        if fn == "abs":
            return Expr(f"abs({a.text})", ())
        return Expr(f"{fn}({a.text}, {b.text})", (), a.alias | b.alias)  # the operand object itself (a 0-d array)

    def _reduce(self, scope: Scope, target: Shape, depth: int) -> Expr:
        shape = self.choice([s for s in self.shapes if s] )
        e = self.exact(scope, shape, depth) if self.coin(0.3) else self.expr(scope, shape, depth)
        fn = self.choice(["sum", "mean", "max", "prod", "min", "norm", "method"])
        self.feature("reduce_" + fn)
        if fn == "norm":
            return Expr(f"np.linalg.norm({e.text})", ())
        if fn == "method":
            return Expr(f"({e.text}).{self.choice(['sum', 'mean', 'max'])}()" if e.shape else f"np.sum({e.text})", ())
        return Expr(f"np.{fn}({e.text})", ())

    def _dot(self, scope: Scope, target: Shape, depth: int) -> Expr:
        m, n = self.m, self.n
        a, b = self.exact(scope, (m,), depth), self.exact(scope, (m,), depth)
        kind = self.choice(["dot", "matmul", "matvec", "outer"])
        self.feature("dot")
        if kind == "dot":
            return Expr(f"np.dot({a.text}, {b.text})", ())
        if kind == "matmul":
            return Expr(f"({a.text} @ {b.text})", ())
        w = self.exact(scope, (n, m), depth)
        if kind == "matvec":
            return Expr(f"np.sum(np.tanh({w.text} @ {a.text}))", ())
        return Expr(f"np.sum(np.outer({a.text}, {b.text}) * 0.5)", ())

    def _axis(self, scope: Scope, target: Shape, depth: int) -> Expr:
        n, m = self.n, self.m
        # (source shape, axis, keepdims, result shape, suffix): only results that fit the target
        forms = [((n, m), 0, False, (m,), ""), ((n, m), 0, True, (1, m), ""), ((n, m), 1, True, (n, 1), ""),
                 ((n, m), 1, False, (n, 1), "[:, None]"), ((n, m), -1, True, (n, 1), ""),
                 ((n, 1), 0, False, (1,), ""), ((n, 1), 1, False, (n, 1), "[:, None]"),
                 ((1, m), 0, False, (m,), ""), ((1, m), 1, True, (1, 1), ""),
                 ((m,), 0, False, (), ""), ((m,), 0, True, (1,), ""), ((n, m), None, True, (1, 1), "")]
        forms = [f for f in forms if fits(f[3], target)]
        if not forms:
            return self.leaf(scope, target)
        source, axis, keep, result, suffix = self.choice(forms)
        e = self.exact(scope, source, depth)
        fn = self.choice(["sum", "mean", "max", "min", "prod"])
        self.feature("reduce_axis", "reduce_" + fn)
        args = (f", axis={axis}" if axis is not None else "") + (", keepdims=True" if keep else "")
        if self.coin(0.25) and not e.text.startswith("("):
            return Expr(f"{e.text}.{fn}({args[2:]}){suffix}", result)
        return Expr(f"np.{fn}({e.text}{args}){suffix}", result)

    def _sequence(self, scope: Scope, target: Shape, depth: int) -> Expr:
        """Tuples and lists built, concatenated and repeated, read back with NumPy or `sum`."""
        shape = self.choice([s for s in self.shapes if fits(s, target)])
        a = self.exact(scope, shape, depth)
        b = self.exact(scope, shape, depth)
        kind = self.choice(["hstack_tuple", "list_concat", "stack_repeat", "sum_list", "array_of_scalars",
                            "concatenate", "tuple_index"])
        self.feature(kind)
        if kind == "hstack_tuple":
            return Expr(f"np.sum(np.tanh(np.hstack(({a.text},) + ({b.text},))))", ())
        if kind == "list_concat":
            return Expr(f"np.sum(np.stack([{a.text}] + [{b.text}]), axis=0)", shape)
        if kind == "stack_repeat":
            return Expr(f"np.mean(np.stack([{a.text}, {b.text}] * 2), axis=0)", shape)
        if kind == "sum_list":
            return Expr(f"sum([{a.text}] + [{b.text}] * 2)", shape)
        if kind == "tuple_index":
            item = self.choice(['1', '-1', '0'])
            return Expr(f"(({a.text},) + ({b.text}, {a.text}))[{item}]", shape, a.alias | b.alias)
        if kind == "concatenate" and shape:
            return Expr(f"np.mean(np.concatenate([{a.text}, {b.text}]))", ())
        s1, s2 = self.scalar(scope, depth), self.scalar(scope, depth)
        return Expr(f"np.sum(np.array([{s1.text}, {s2.text}, 0.5]) * np.array([0.3, -0.2, 0.1]))", ())

    def _index(self, scope: Scope, target: Shape, depth: int) -> Expr:
        """Slices, negative indices, integer-array and boolean indexing (results reduced or reshaped)."""
        m, n = self.m, self.n
        kind = self.choice(["shift", "reverse", "fancy", "mask_const", "mask_data", "row", "column", "tail"])
        self.feature("index_" + kind)
        if kind in ("shift", "fancy", "mask_const", "mask_data", "reverse"):
            e = self.exact(scope, (m,), depth)
            if kind == "shift":
                return Expr(f"np.sum({e.text}[1:] * {e.text}[:-1])", ())
            if kind == "reverse":
                if fits((m,), target):
                    return Expr(f"{e.text}[::-1]", (m,), e.alias)  # a view
                return Expr(f"{e.text}[::-1][0]", ())
            if kind == "fancy":
                idx = [self.integer(0, m - 1) for _ in range(self.integer(1, 4))]
                return Expr(f"np.sum({e.text}[{idx!r}] ** 2)", ())
            if kind == "mask_const":
                mask = [self.coin() for _ in range(m)]
                return Expr(f"np.sum({e.text}[np.array({mask!r})])", ())
            return Expr(f"np.sum({e.text}[{e.text} > {self.const()}])", ())
        w = self.exact(scope, (n, m), depth)
        if kind == "row" and fits((m,), target):
            return Expr(f"{w.text}[{self.index(scope, n)}]", (m,), w.alias)  # views of w
        if kind == "column" and fits((n, 1), target):
            return Expr(f"{w.text}[:, {self.choice(['0', '-1', str(m - 1)])}:][:, :1]", (n, 1), w.alias)
        if kind == "tail" and fits((1, m), target):
            return Expr(f"{w.text}[-1:]", (1, m), w.alias)
        return Expr(f"np.sum({w.text}[1:, ::-1])", ())

    def _call(self, scope: Scope, target: Shape, depth: int) -> Expr:
        fits_target = [h for h in self.helpers if fits(h.ret, target)]
        if not fits_target:
            return self.leaf(scope, target)
        helper = self.choice(fits_target)
        self.feature("call")
        args, alias, keyword = [], frozenset(), False
        for pname, pshape, default in helper.params:
            if default is not None and self.coin(0.4):
                keyword = True  # leave it at its default: later arguments go by keyword
                self.feature("call_default")
                continue
            value = self.choice(scope.ints + ["2"]) if pshape is None else None
            if pshape is not None:
                e = self.exact(scope, pshape, max(depth - 1, 0))
                value = e.text
                if pname in helper.ret_alias:
                    alias |= e.alias
            keyword = keyword or self.coin(0.2)
            if keyword:
                self.feature("call_keyword")
            args.append(f"{pname}={value}" if keyword else value)
        return Expr(f"{helper.name}({', '.join(args)})", helper.ret, alias)

    def _list_read(self, scope: Scope, target: Shape, depth: int) -> Expr:
        h = self.choice(list(scope.lists))
        shape = scope.lists[h]
        forms = ["np.mean(np.stack({}))", "0.1 * len({})", "np.sum(sum({}))"]
        if fits(shape, target):
            forms += ["sum({})", "np.sum(np.stack({}), axis=0)", "{}[-1]"]
        form = self.choice(forms)
        self.feature("list_read", "stack" if "stack" in form else "list_sum" if "sum(" in form else "list_index")
        result = shape if "axis=0" in form or form == "sum({})" or form.endswith("[-1]") else ()
        return Expr(form.format(h), result, frozenset([h]) if form.endswith("[-1]") else frozenset())

    def _random(self, scope: Scope, target: Shape, depth: int) -> Expr:
        shape = self.choice(self.shapes_into(target))
        src = self.random_state if self.random_state and (not self.global_random or self.coin()) else "np.random"
        self.feature("random_state" if src != "np.random" else "random_global")
        size = ", ".join(map(str, shape))
        form = self.choice(["randn", "uniform", "normal"])
        if form == "randn":
            text = f"{src}.randn({size})"
        elif form == "uniform":
            text = f"{src}.uniform(-1.0, 1.0{', size=' + self.shape_text(shape) if shape else ''})"
        else:
            text = f"{src}.normal(0.0, 0.5{', size=' + self.shape_text(shape) if shape else ''})"
        e = self.expr(scope, target, depth)
        return Expr(f"({text} * {e.text})", np.broadcast_shapes(shape, e.shape))

    def _comprehension(self, scope: Scope, target: Shape, depth: int) -> Expr:
        vectors = [v for v in scope.floats.values() if len(v.shape) == 1 and v.shape[0] > 0]
        e = self.fresh("e")
        inner = scope.child(floats={**scope.floats, e: Var(e, (), readonly=True)})
        body = self.scalar(inner, max(depth - 1, 0))
        self.feature("comprehension")
        if vectors and (not fits((self.m,), target) or self.coin()):
            v = self.choice(vectors)
            if fits(v.shape, target) and self.coin():
                return Expr(f"np.array([{body.text} for {e} in {v.name}])", v.shape)
            return Expr(f"sum(np.tanh({body.text}) for {e} in {v.name})", ())
        return Expr(f"sum([{body.text} for {e} in np.linspace(-1.0, 1.0, 3)])", ())

    # ---- conditions

    def cond(self, scope: Scope, depth: int = 1) -> str:
        """A condition for `if`, `while` or a conditional expression; `depth` bounds its expressions."""
        kinds = ["data", "data"] + (["int"] if scope.ints else []) + (["combine"] if depth > 0 else [])
        kind = self.choice(kinds)
        if kind == "data":
            self.feature("data_branch")
            return f"{self.scalar(scope, depth).text} {self.choice(['>', '<'])} {self.const()}"
        if kind == "int":
            i = self.choice(scope.ints)
            return self.choice([f"{i} % 2 == 0", f"{i} < 2", f"{i} == 1", f"{i} > 0"])
        a, b = self.cond(scope, 0), self.cond(scope, 0)
        return self.choice([f"({a} and {b})", f"({a} or {b})", f"not ({a})"])
