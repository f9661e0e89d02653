"""A hypothesis strategy for random well-formed differentiable programs, as source text.

`programs()` draws a `Program`: a module defining fixed helpers and `f(a, b, x, y, n)` (`a, b`
floats, `x, y` float vectors of 4, `n` a small int) built from straight-line smooth arithmetic,
if/elif/else and conditional expressions on data and on loop counters, `and/or/not`, for loops
(range with constant or derived bounds, arrays, enumerate, zip, reversed), bounded while loops,
break/continue, subscripts, writes into a buffer (`buf[i] = e`, `buf[i] += e`, masks, slices),
list append + sum, list comprehensions and helper calls. Every assignment is bounded (tanh, sin,
damped accumulation), so values stay finite.

Each data-dependent comparison is written `CMP[lhs|op|rhs]CMP` and rendered twice: plainly
(`lhs > rhs`) for srcgrad, and instrumented (`_rec(lhs - rhs) > 0`) to record the path taken, so a
test can reject points near a branch boundary (see `Program.path`).
"""
import dataclasses
import importlib.util
import itertools
import re
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st

_CMP = re.compile(r"CMP\[(.*?)\|([<>])\|(.*?)\]CMP")

HELPERS = '''
MASK = np.array([True, False, True, True])


def h_smooth(u, v):
    return np.tanh(u * v + 0.5 * u)


def h_branch(u):
    if CMP[u|>|0.3]CMP:
        return np.sin(u)
    return 0.5 * u * u


def h_loop(u, k):
    s = u
    for i in range(k):
        s = np.tanh(s * u + 0.1 * i)
    return s


def h_vec(v, u):
    return np.tanh(v * u + 0.2)


def h_calls(u, v):
    return h_smooth(u, v) + 0.5 * h_branch(v)


def h_kw(u, scale=0.5, shift=0.0):
    return scale * np.sin(u) + shift


def h_rec(u, k):
    if k == 0:
        return u
    return h_rec(np.sin(u) * 0.9 + 0.1, k - 1)


def h_break(v, u):
    s = 0.0
    for e in v:
        if CMP[e|>|0.6]CMP:
            break
        if CMP[e|<|-0.9]CMP:
            continue
        s = s + np.tanh(e * u)
    return s


def h_buf(v, u):
    out = np.zeros(4)
    for i in range(4):
        out[i] = np.sin(v[i] * u + 0.1 * i)
    out[1:3] += 0.5 * v[0:2]
    return out


def h_list(v, u):
    parts = [u]
    for e in v:
        parts.append(np.tanh(parts[-1] * e))
    return sum(parts) * 0.25


def h_rec_data(u):
    if CMP[np.abs(u)|<|0.2]CMP:
        return u
    return h_rec_data(0.5 * u) + 0.1 * np.tanh(u)
'''

PRELUDE = "import numpy as np\n"
INSTRUMENT = '''
TRACE = []


def _rec(d):
    TRACE.append((bool(d > 0), abs(float(d))))
    return d
'''


def render(text: str, instrumented: bool) -> str:
    """Replace every `CMP[lhs|op|rhs]CMP` by a plain or path-recording comparison."""
    def plain(m: re.Match) -> str:
        return f"({m[1]}) {m[2]} ({m[3]})"

    def recorded(m: re.Match) -> str:
        return f"(_rec(({m[1]}) - ({m[3]})) {m[2]} 0)"

    return _CMP.sub(recorded if instrumented else plain, text)


@dataclasses.dataclass
class Program:
    """Generated source of `f` (with CMP markers) and a point to differentiate at."""
    body: str
    args: tuple

    def source(self, instrumented: bool = False) -> str:
        text = PRELUDE + (INSTRUMENT if instrumented else "") + HELPERS + "\n\n" + self.body
        return render(text, instrumented)

    def __repr__(self) -> str:
        a, b, x, y, n = self.args
        return (f"Program(args=(a={a!r}, b={b!r}, x={x.tolist()!r}, y={y.tolist()!r}, n={n!r}))\n"
                + render(self.body, False))


_counter = itertools.count()


def load(source: str, directory: Path) -> Any:
    """Write `source` to a fresh .py file in `directory` and import it as a new module."""
    name = f"srcgrad_prog_{next(_counter)}"
    path = directory / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def path_of(module: Any, args: tuple) -> list[tuple[bool, float]]:
    """The data-dependent comparisons (outcome, |margin|) of one run of the instrumented `f`."""
    module.TRACE.clear()
    with np.errstate(all="raise"):
        module.f(*args)
    return list(module.TRACE)


def stable_path(module: Any, args: tuple, step: float = 1e-6, margin: float = 1e-4) -> bool:
    """True when every comparison is `margin` from its boundary and every central-difference
    evaluation (each float entry moved by +-step*max(1, |entry|), as gradcheck does) takes the
    same path as the base point."""
    base = path_of(module, args)
    if any(m < margin for _, m in base):
        return False
    want = [o for o, _ in base]
    for k, arg in enumerate(args[:4]):
        flat = np.ravel(np.asarray(arg, dtype=np.float64))
        for i in range(flat.size):
            for sign in (1.0, -1.0):
                moved = flat.copy()
                moved[i] += sign * step * max(1.0, abs(moved[i]))
                new = list(args)
                new[k] = float(moved[0]) if isinstance(arg, float) else moved.reshape(np.shape(arg))
                if [o for o, _ in path_of(module, tuple(new))] != want:
                    return False
    return True


# ---- the generator ----------------------------------------------------------------------------

@dataclasses.dataclass
class Scope:
    """What a statement may read and write at its position."""
    scalars: list[str]
    vectors: list[str]
    indices: list[str]  # int loop variables in scope
    in_loop: bool = False
    depth: int = 0
    can_append: bool = True  # False inside `for e in hs` (appending would never end in Python)
    can_write: bool = True  # False inside loops over buf (known bug: iterating an array the body writes)


class Gen:
    """Draws expressions and statements; `draw` is hypothesis's."""

    def __init__(self, draw: Callable) -> None:
        self.draw = draw
        self.fresh = itertools.count()
        self.budget = 14  # statements left

    def choice(self, options: list) -> Any:
        return self.draw(st.sampled_from(options))

    def const(self) -> str:
        return repr(self.choice([0.1, 0.2, 0.3, 0.5, 0.7, 1.1, -0.4, -0.6]))

    def index(self, scope: Scope) -> str:
        options = ["0", "1", "2", "3", "-1"] + [f"{i} % 4" for i in scope.indices]
        return self.choice(options)

    def scalar(self, scope: Scope, depth: int = 2) -> str:
        kind = self.draw(st.integers(0, 12 if depth > 0 else 3))
        if kind == 0:
            return self.choice(scope.scalars)
        if kind == 1:
            return self.const()
        if kind == 2:
            return f"{self.choice(scope.vectors)}[{self.index(scope)}]"
        if kind == 3:
            return self.choice(["buf[" + self.index(scope) + "]", "hs[-1]", "hs[0]", scope.scalars[0]])
        a = self.scalar(scope, depth - 1)
        if kind <= 6:
            b = self.scalar(scope, depth - 1)
            return f"({a} {self.choice(['+', '-', '*'])} {b})"
        if kind <= 8:
            return f"{self.choice(['np.tanh', 'np.sin', 'np.cos', 'math.sin'])}({a})"
        if kind == 9:
            return f"np.exp(np.sin({a}))"
        if kind == 10:
            return f"(0.25 * np.sum({self.vector(scope, depth - 1)}))"
        if kind == 11:
            return self.call_scalar(scope, depth - 1)
        return f"({a} if {self.cond(scope)} else {self.scalar(scope, depth - 1)})"

    def call_scalar(self, scope: Scope, depth: int) -> str:
        u = self.scalar(scope, depth)
        kind = self.draw(st.integers(0, 8))
        if kind == 0:
            return f"h_smooth({u}, {self.scalar(scope, depth)})"
        if kind == 1:
            return f"h_branch({u})"
        if kind == 2:
            return f"h_loop({u}, {self.choice(['0', '2', 'n'])})"
        if kind == 3:
            return f"h_calls({u}, {self.scalar(scope, depth)})"
        if kind == 4:
            return self.choice([f"h_kw({u})", f"h_kw({u}, shift=0.3)", f"h_kw({u}, scale=1.5, shift=-0.2)",
                                f"h_kw({u}, 2.0)"])
        if kind == 5:
            return f"h_rec(np.tanh({u}), {self.choice(['0', '1', '3', 'n'])})"
        if kind == 6:
            return f"h_rec_data(np.tanh({u}))"
        v = self.vector(scope, depth)
        return f"h_break({v}, {u})" if kind == 7 else f"h_list({v}, {u})"

    def vector(self, scope: Scope, depth: int = 1) -> str:
        kind = self.draw(st.integers(0, 8 if depth > 0 else 1))
        if kind == 0:
            return self.choice(scope.vectors)
        if kind == 1:
            return "buf"
        a = self.vector(scope, depth - 1)
        if kind == 2:
            return f"({a} {self.choice(['+', '-', '*'])} {self.vector(scope, depth - 1)})"
        if kind == 3:
            return f"({a} * {self.scalar(scope, depth - 1)})"
        if kind == 4:
            return f"{self.choice(['np.tanh', 'np.sin'])}({a})"
        if kind == 5:
            return f"h_vec({a}, {self.scalar(scope, depth - 1)})"
        if kind == 6:
            return f"np.flip({a})"
        if kind == 7:
            return f"h_buf({a}, {self.scalar(scope, depth - 1)})"
        return f"({a} + {self.scalar(scope, depth - 1)})"

    def cond(self, scope: Scope) -> str:
        kind = self.draw(st.integers(0, 5))
        if kind <= 2 or not scope.indices:
            lhs = self.scalar_no_cmp(scope)
            return f"CMP[{lhs}|{self.choice(['<', '>'])}|{self.const()}]CMP"
        if kind == 3:
            i = self.choice(scope.indices)
            return self.choice([f"{i} % 2 == 0", f"{i} < 2", f"{i} == 1", "n > 1"])
        left, right = self.cond(scope), self.cond(scope)
        return self.choice([f"({left} and {right})", f"({left} or {right})", f"(not {left})"])

    def scalar_no_cmp(self, scope: Scope) -> str:
        for _ in range(5):
            text = self.scalar(scope, 1)
            if "CMP" not in text:  # no comparison nested in a comparison's text
                return text
        return self.choice(scope.scalars)

    # ---- statements

    def wrap(self, target: str, expr: str) -> str:
        return self.choice([f"np.tanh({expr})", f"np.sin({expr})", f"0.5 * {target} + 0.5 * np.tanh({expr})",
                            f"{target} + 0.3 * np.sin({expr})"])

    def block(self, scope: Scope, size: int) -> list[str]:
        lines = []
        for _ in range(size):
            if self.budget <= 0:
                break
            self.budget -= 1
            lines += self.statement(scope)
        return lines or ["s0 = s0 + 0.1"]

    def statement(self, scope: Scope) -> list[str]:
        nest = scope.depth < 2
        kinds = ["assign", "assign", "vassign", "tuple", "aug", "vappend", "ifexp", "comp",
                 "call"] + (["append"] if scope.can_append else []) + (["write"] if scope.can_write else []) + (["if", "if", "for", "for", "while"] if nest else []) + (["jump"] if scope.in_loop else [])
        kind = self.choice(kinds)
        s = self.choice([v for v in scope.scalars if v not in ("a", "b")] + ["a", "b"])
        if kind == "assign":
            return [f"{s} = {self.wrap(s, self.scalar(scope))}"]
        if kind == "vassign":
            v = self.choice(scope.vectors)
            return [f"{v} = {self.wrap(v, self.vector(scope))}"]
        if kind == "tuple":
            t = self.choice([v for v in scope.scalars if v != s] or ["s1"])
            return [f"{s}, {t} = {t}, {self.wrap(s, self.scalar(scope))}"]
        if kind == "write":
            form = self.draw(st.integers(0, 3))
            if form == 0:
                return [f"buf[{self.index(scope)}] = {self.wrap('buf[0]', self.scalar(scope))}"]
            if form == 1:
                return [f"buf[{self.index(scope)}] += 0.5 * np.tanh({self.scalar(scope)})"]
            if form == 2:
                return [f"buf[MASK] = np.tanh({self.vector(scope)}[MASK])"]
            return [f"buf[1:3] = np.sin({self.vector(scope)}[{self.choice(['0:2', '2:4', '1:3'])}])"]
        if kind == "aug":
            return [f"{s} += 0.2 * np.sin({self.scalar(scope)})"]
        if kind == "append":
            return [f"hs.append(np.tanh({self.scalar(scope)}))"]
        if kind == "vappend":
            return [f"vs.append(np.sin({self.vector(scope)}))"]
        if kind == "ifexp":
            return [f"{s} = np.tanh({self.scalar(scope, 1)}) if {self.cond(scope)} else np.sin({self.scalar(scope, 1)})"]
        if kind == "comp":
            e = f"e{next(self.fresh)}"
            inner = Scope(scope.scalars + [e], scope.vectors, scope.indices)
            body = self.scalar(inner, 1)
            src = self.choice(scope.vectors + ["buf"])
            filt = self.choice(["", f" if CMP[{e}|>|{self.const()}]CMP"])
            form = self.choice(["sum([{b} for {e} in {s}{f}])", "sum({b} for {e} in {s}{f})"])
            return [f"{s} = 0.5 * {s} + 0.1 * np.tanh({form.format(b=body, e=e, s=src, f=filt)})"]
        if kind == "call":
            form = self.draw(st.integers(0, 1))
            if form == 0:
                return [f"{s} = {self.wrap(s, self.call_scalar(scope, 1))}"]
            v = self.choice(scope.vectors)
            return [f"{v} = h_vec({self.vector(scope)}, {self.scalar(scope)})"]
        inner = dataclasses.replace(scope, depth=scope.depth + 1)
        if kind == "if":
            lines = [f"if {self.cond(scope)}:"] + indent(self.block(inner, self.draw(st.integers(1, 3))))
            for _ in range(self.draw(st.integers(0, 1))):
                lines += [f"elif {self.cond(scope)}:"] + indent(self.block(inner, self.draw(st.integers(1, 2))))
            if self.draw(st.booleans()):
                lines += ["else:"] + indent(self.block(inner, self.draw(st.integers(1, 2))))
            return lines
        if kind == "jump":
            return [f"if {self.cond(scope)}:", f"    {self.choice(['break', 'continue'])}"]
        loop_scope = dataclasses.replace(inner, in_loop=True)
        if kind == "while":
            k = f"k{next(self.fresh)}"
            body_scope = dataclasses.replace(loop_scope, indices=scope.indices + [k])
            bound = self.choice(["3", "n + 1", "2"])
            extra = self.choice(["", f" and {self.cond(scope)}"])
            return ([f"{k} = 0", f"while {k} < {bound}{extra}:", f"    {k} = {k} + 1"]
                    + indent(self.block(body_scope, self.draw(st.integers(1, 3)))))
        form = self.draw(st.integers(0, 5))
        i, e = f"i{next(self.fresh)}", f"e{next(self.fresh)}"
        vec = self.choice(scope.vectors + ["buf"])
        if form == 0:
            rng = self.choice(["range(4)", "range(1, 4)", "range(0, 4, 2)", "range(3, -1, -1)", "range(n)",
                               "range(len(hs))", "range(x.shape[0])", "range(n, 4)"])
            head, sc = f"for {i} in {rng}:", dataclasses.replace(loop_scope, indices=scope.indices + [i])
        elif form == 1:
            head, sc = f"for {e} in {vec}:", dataclasses.replace(loop_scope, scalars=scope.scalars + [e])
        elif form == 2:
            head = f"for {i}, {e} in enumerate({vec}):"
            sc = dataclasses.replace(loop_scope, scalars=scope.scalars + [e], indices=scope.indices + [i])
        elif form == 3:
            q = f"q{next(self.fresh)}"
            head = f"for {e}, {q} in zip({vec}, {self.choice(scope.vectors)}):"
            sc = dataclasses.replace(loop_scope, scalars=scope.scalars + [e, q])
        elif form == 4:
            head, sc = f"for {e} in reversed({vec}):", dataclasses.replace(loop_scope, scalars=scope.scalars + [e])
        else:
            head = f"for {e} in hs:"
            sc = dataclasses.replace(loop_scope, scalars=scope.scalars + [e], can_append=False)
        if form in (1, 2, 3, 4) and vec == "buf":
            sc = dataclasses.replace(sc, can_write=False)
        return [head] + indent(self.block(sc, self.draw(st.integers(1, 3))))


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def programs(draw: Callable) -> Program:
    """A random program `f(a, b, x, y, n)` returning a float, and a point to evaluate it at."""
    gen = Gen(draw)
    scope = Scope(["s0", "s1", "a", "b"], ["x", "y", "v0"], [])
    body = gen.block(scope, draw(st.integers(1, 6)))
    ret = "s0 + 0.5 * s1 + 0.3 * a * b + np.sum(v0 * buf) + 0.2 * sum(hs) + 0.1 * np.sum(sum(vs))"
    lines = (["def f(a, b, x, y, n):", "    s0 = a * 0.5", "    s1 = np.sin(b)", "    v0 = x * y",
              "    buf = np.zeros(4)", "    hs = [a * 0.3]", "    vs = []"]
             + indent(body) + [f"    return {ret}"])
    floats = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))
    a, b = draw(floats), draw(floats)
    x = np.array(draw(st.lists(floats, min_size=4, max_size=4)))
    y = np.array(draw(st.lists(floats, min_size=4, max_size=4)))
    n = draw(st.integers(0, 3))
    return Program("import math\n\n\n" + "\n".join(lines) + "\n", (a, b, x, y, n))
