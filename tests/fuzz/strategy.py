"""The hypothesis strategy `programs()`: a random module, a point to evaluate `f` at, and a `wrt`.

`f`'s parameters mix Python floats, NumPy scalars (float64, float32), 0-d arrays, arrays of shapes
(m,), (n, 1), (1, m), (n, m) (float32 sometimes), and small ints; some are positive. Helpers are
generated first and f may call them (positionally, by keyword, or leaving defaults). `wrt` is a
non-empty subset of the float parameters, given by index or name, alone or as a tuple.
Argument values are k/1000 plus a small per-entry offset, so shrunk values stay distinct and
away from the constants the program compares against.
"""
from typing import Callable

import numpy as np
from hypothesis import strategies as st

from .exprs import Helper, flag
from .program import Param, Program
from .scope import Scope, Var
from .stmts import Stmts, indent

NAMES = {"scalar": "abc", "positive scalar": ["q", "q2"], "vector": "xyz", "column": ["col", "col2"],
         "row": ["row", "row2"], "matrix": ["W", "V"], "positive vector": ["p", "p2"]}


def _param_kinds(draw: Callable, gen: Stmts) -> list[Param]:
    """One to four float parameters of mixed kinds (named after their kind), and sometimes an int `n`."""
    n, m = gen.n, gen.m
    shapes = {"vector": (m,), "column": (n, 1), "row": (1, m), "matrix": (n, m)}
    f32 = flag(draw, 0.15)
    used: dict[str, int] = {}
    params = []
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["float", "array", "float64", "0d", "array", "float32"]))
        positive = flag(draw, 0.2)
        dtype = "float32" if kind == "float32" or (f32 and kind in ("array", "0d") and gen.coin()) else "float64"
        if kind == "array":
            key = "positive vector" if positive else draw(st.sampled_from(list(shapes)))
            shape = (m,) if positive else shapes[key]
        else:
            shape, key = (), "positive scalar" if positive else "scalar"
        if used.get(key, 0) >= len(NAMES[key]):
            continue
        name = NAMES[key][used.get(key, 0)]
        used[key] = used.get(key, 0) + 1
        params.append(Param(name, kind, shape, dtype, positive))
    if flag(draw, 0.5):
        params.insert(draw(st.integers(0, len(params))), Param("n", "int"))
    return params


def _value(draw: Callable, param: Param, offset: int):
    lo, hi = (300, 1500) if param.positive else (-1500, 1500)
    size = int(np.prod(param.shape))
    ks = draw(st.lists(st.integers(lo, hi), min_size=size, max_size=size))
    values = [(k + 0.0371 * ((offset + j) % 7 + 1)) / 1000 for j, k in enumerate(ks)]
    if param.kind == "float":
        return values[0]
    if param.kind == "float64":
        return np.float64(values[0])
    if param.kind == "float32":
        return np.float32(values[0])
    return np.array(values, dtype=param.dtype).reshape(param.shape)


def _helper(draw: Callable, gen: Stmts, index: int) -> list[str]:
    """A helper function `h<index>(u, [v], [scale=...], [k=...])` registered with `gen`."""
    shapes = gen.shapes[:5]
    params = [("u", draw(st.sampled_from(shapes)), None)]
    if gen.coin():
        params.append(("v", draw(st.sampled_from(shapes)), None))
    if gen.coin():
        params.append(("scale", (), repr(draw(st.sampled_from([0.5, 1.5, -0.3])))))
    if gen.coin(0.3):
        params.append(("k", None, "2"))
    gen.aliases = aliases = type(gen.aliases)()
    floats = {p: Var(p, s) for p, s, _ in params if s is not None}
    ints = [p for p, s, _ in params if s is None]
    for p in floats:
        aliases.protect(p)
    scope = Scope(floats, list(ints), [], {}, [], top=True)
    gen.bounded_ints = frozenset(ints)
    gen.budget = draw(st.integers(1, 4))
    lines = [f"acc = 0.5 * {gen.scalar(scope, 1).text}"]
    scope.floats["acc"] = Var("acc", ())
    lines += gen.block(scope, draw(st.integers(1, 3)))
    ret_shape = draw(st.sampled_from([(), params[0][1]]))
    ret = gen.exact(scope, ret_shape, 1)
    if ret_shape == ():
        ret = type(ret)(f"acc + {ret.text}", ())
    head = ", ".join(p if d is None else f"{p}={d}" for p, _, d in params)
    name = f"h{index}"
    gen.helpers.append(Helper(name, tuple(params), ret_shape, frozenset(ret.alias) & set(floats)))
    return [f"def {name}({head}):"] + indent(lines + [f"return {ret.text}"])


@st.composite
def programs(draw: Callable, statements: int = 12, helpers: int = 2, depth: int = 2,
             scalar_wrt: bool = False) -> Program:
    """A random module defining `f`, with arguments and a `wrt` (see the module docstring).

    Args:
        statements: at most this many statements in f (loop and branch bodies included).
        helpers: at most this many helper functions.
        depth: nesting of expressions.
        scalar_wrt: `wrt` is one float64 scalar (Python float, NumPy float64 or 0-d array),
            for grad(grad(f)).
    """
    n = draw(st.sampled_from([2, 3, 1]))
    m = draw(st.sampled_from([3, 4, 2, 1]))
    gen = Stmts(draw, n, m, depth)
    helper_lines, helper_aliasing = [], False
    for i in range(draw(st.integers(0, helpers))):
        helper_lines.append(_helper(draw, gen, i))
        helper_aliasing = helper_aliasing or gen.aliases.aliasing()
    params = _param_kinds(draw, gen)
    if scalar_wrt:
        params = [p for p in params if p.name != "a"]
        params.insert(draw(st.integers(0, len(params))), Param("a", draw(st.sampled_from(["float", "float64", "0d"]))))
    if not any(p.differentiable for p in params):
        params.append(Param("a", "float"))
    gen.aliases = type(gen.aliases)()
    floats = {p.name: Var(p.name, p.shape, positive=p.positive, readonly=p.positive)
              for p in params if p.differentiable}
    ints = [p.name for p in params if not p.differentiable]
    for p in floats:
        gen.aliases.protect(p)
    gen.bounded_ints = frozenset(ints)
    scope = Scope(floats, list(ints), [], {}, [], top=True)
    lines = []
    if flag(draw, 0.15):
        gen.random_state = "rs"
        lines.append(f"rs = np.random.RandomState({draw(st.integers(0, 99))})")
    global_seed = draw(st.integers(0, 999)) if flag(draw, 0.1) else None
    gen.global_random = global_seed is not None
    if gen.random_state or gen.global_random:  # a draw at the top, as in a reparameterization
        shape = draw(st.sampled_from(gen.shapes[:5]))
        src = gen.random_state if gen.random_state and not (gen.global_random and gen.coin()) else "np.random"
        gen.feature("random_state" if src != "np.random" else "random_global")
        size = ", ".join(map(str, shape))
        lines.append(f"noise = {src}.randn({size})")
        scope.floats["noise"] = Var("noise", shape)
    first = gen.scalar(scope, 1)
    lines.append(f"s0 = {first.text}")
    scope.floats["s0"] = Var("s0", ())
    gen.aliases.union("s0", first.alias)
    for shape in sorted({p.shape for p in params if p.shape}):
        v = gen.fresh("v")
        lines.append(f"{v} = np.tanh({gen.exact(scope, shape, 1).text})")
        scope.floats[v] = Var(v, shape)
    gen.budget = draw(st.integers(1, statements))
    lines += gen.block(scope, draw(st.integers(1, min(6, statements))))
    lines.append(f"return {gen.readout(scope)}")
    if "random_global" not in gen.features:
        global_seed = None
    args, offset = [], 0
    for p in params:
        args.append(draw(st.integers(0, 3)) if p.kind == "int" else _value(draw, p, offset))
        offset += int(np.prod(p.shape))
    wrt = _wrt(draw, params) if not scalar_wrt else draw(st.sampled_from(["a", [p.name for p in params].index("a")]))
    kinds = {f"arg_{p.kind}" + (f"_{len(p.shape)}d" if p.kind == "array" else "") for p in params}
    aliasing = gen.aliases.aliasing() or helper_aliasing
    features = gen.features | kinds | ({"float32"} if any(p.dtype == "float32" for p in params) else set())
    features |= {"aliasing"} if aliasing else set()
    return Program(params, [], helper_lines, lines, tuple(args), wrt, frozenset(features), aliasing, global_seed)


def _wrt(draw: Callable, params: list[Param]):
    candidates = [i for i, p in enumerate(params) if p.differentiable]
    chosen = [i for i in candidates if draw(st.booleans())] or [candidates[0]]
    items = [i if draw(st.booleans()) else params[i].name for i in chosen]
    if len(items) == 1 and not flag(draw, 0.15):
        return items[0]
    return tuple(items)
