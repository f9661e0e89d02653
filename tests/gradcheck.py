"""Check srcgrad's gradients against central finite differences computed in float64.

The reference never involves srcgrad: `f` is evaluated on float64 copies of the arguments and
differenced. Small arguments get the full finite-difference gradient; larger ones are checked
along a few random directions (autograd's `check_grads`), which needs two evaluations each.
Arguments may be Python floats, NumPy arrays or scalars, and dicts, lists and tuples of them.
"""
import inspect
from typing import Any, Callable

import numpy as np

import srcgrad

Wrt = int | str | tuple[int | str, ...]

FULL_FD_MAX = 60  # up to this many scalar entries in one argument, compare the whole gradient
DIRECTIONS = 4  # random directions for larger arguments
STEP = 1e-6  # central difference step, relative to max(1, |entry|)


# ---- structures ------------------------------------------------------------------------------


def leaves(tree: Any) -> list[Any]:
    """The non-container values of a nested dict/list/tuple, in a fixed order (dict keys sorted)."""
    if isinstance(tree, dict):
        return [leaf for key in sorted(tree, key=repr) for leaf in leaves(tree[key])]
    if isinstance(tree, list | tuple):
        return [leaf for item in tree for leaf in leaves(item)]
    return [tree]


def rebuild(tree: Any, values: list[Any]) -> Any:
    """`tree` with its leaves replaced, in `leaves` order, by `values` (consumed from the front)."""
    if isinstance(tree, dict):
        new = {key: rebuild(tree[key], values) for key in sorted(tree, key=repr)}
        return {key: new[key] for key in tree}
    if isinstance(tree, list | tuple):
        items = [rebuild(item, values) for item in tree]
        return type(tree)(*items) if hasattr(tree, "_fields") else type(tree)(items)
    return values.pop(0)


def is_float_leaf(leaf: Any) -> bool:
    """True for the values srcgrad differentiates: Python floats and floating NumPy values."""
    if isinstance(leaf, bool):
        return False
    if isinstance(leaf, float):
        return True
    return isinstance(leaf, np.ndarray | np.generic) and np.issubdtype(leaf.dtype, np.floating)


def has_float(tree: Any) -> bool:
    """True when some leaf of `tree` is a float (so `tree` is an argument one can differentiate)."""
    return any(is_float_leaf(leaf) for leaf in leaves(tree))


def to_float64(tree: Any) -> Any:
    """A copy of `tree` with every floating leaf in float64 (Python floats stay Python floats)."""
    def cast(leaf: Any) -> Any:
        if isinstance(leaf, np.ndarray) and np.issubdtype(leaf.dtype, np.floating):
            return leaf.astype(np.float64)
        if isinstance(leaf, np.floating):
            return np.float64(leaf)
        return leaf

    return rebuild(tree, [cast(leaf) for leaf in leaves(tree)])


def expected_dtype(leaf: Any) -> Any:
    """The type (Python float) or dtype a gradient leaf must have for the argument leaf `leaf`."""
    if isinstance(leaf, float | int) and not isinstance(leaf, np.generic):
        return float
    dtype = np.result_type(leaf)
    return dtype if np.issubdtype(dtype, np.inexact) else np.dtype(np.float64)


def check_structure(grad: Any, arg: Any, where: str = "grad") -> None:
    """Assert `grad` has `arg`'s containers (same types, keys, lengths), leaf shapes and float dtypes."""
    if isinstance(arg, dict):
        assert isinstance(grad, dict), f"{where}: expected a dict, got {type(grad).__name__}"
        assert set(grad) == set(arg), f"{where}: keys {sorted(grad, key=repr)} != {sorted(arg, key=repr)}"
        for key in arg:
            check_structure(grad[key], arg[key], f"{where}[{key!r}]")
        return
    if isinstance(arg, list | tuple):
        assert type(grad) is type(arg), f"{where}: expected a {type(arg).__name__}, got {type(grad).__name__}"
        assert len(grad) == len(arg), f"{where}: length {len(grad)} != {len(arg)}"
        for i, (g, a) in enumerate(zip(grad, arg, strict=True)):
            check_structure(g, a, f"{where}[{i}]")
        return
    want = expected_dtype(arg)
    if want is float:
        assert type(grad) is float, f"{where}: a Python float argument needs a Python float gradient, got {type(grad)}"
        return
    if isinstance(arg, np.ndarray):
        assert isinstance(grad, np.ndarray), f"{where}: expected an ndarray, got {type(grad).__name__}"
        assert grad.shape == arg.shape, f"{where}: shape {grad.shape} != {arg.shape}"
    else:
        assert np.ndim(grad) == 0, f"{where}: expected a scalar, got shape {np.shape(grad)}"
    assert np.result_type(grad) == want, f"{where}: dtype {np.result_type(grad)} != {want}"


# ---- finite differences ----------------------------------------------------------------------


def _flat(tree: Any) -> np.ndarray:
    """The float leaves of `tree` as one float64 vector."""
    parts = [np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in leaves(tree) if is_float_leaf(leaf)]
    return np.concatenate(parts) if parts else np.zeros(0)


def _unflat(tree: Any, vector: np.ndarray) -> Any:
    """`tree` (float64) with its float leaves taken from `vector`; other leaves unchanged."""
    out, start = [], 0
    for leaf in leaves(tree):
        if not is_float_leaf(leaf):
            out.append(leaf)
            continue
        size = int(np.size(leaf))
        chunk = vector[start : start + size]
        start += size
        if isinstance(leaf, np.ndarray):
            out.append(chunk.reshape(leaf.shape).copy())
        elif isinstance(leaf, np.generic):
            out.append(np.float64(chunk[0]))
        else:
            out.append(float(chunk[0]))
    return rebuild(tree, out)


def _scalar(value: Any) -> float:
    assert np.size(value) == 1, f"the function must return a scalar, got shape {np.shape(value)}"
    return float(np.ravel(np.asarray(value, dtype=np.float64))[0])


def _evaluate(f: Callable, args: list, index: int, vector: np.ndarray) -> float:
    """f in float64 with the float leaves of argument `index` set from `vector`."""
    moved = list(args)
    moved[index] = _unflat(args[index], vector)
    return _scalar(f(*moved))


def _directional(f: Callable, args: list, index: int, base: np.ndarray, direction: np.ndarray) -> float:
    """Central difference of f along the unit `direction` in argument `index`."""
    h = STEP * max(1.0, float(np.max(np.abs(base))))
    return (_evaluate(f, args, index, base + h * direction) - _evaluate(f, args, index, base - h * direction)) / (2 * h)


def numeric_grad(f: Callable, args: list, index: int) -> np.ndarray:
    """The full central-difference gradient of f w.r.t. argument `index`, flattened, in float64."""
    base = _flat(args[index])
    out = np.zeros_like(base)
    for i in range(base.size):
        h = STEP * max(1.0, abs(base[i]))
        up, down = base.copy(), base.copy()
        up[i] += h
        down[i] -= h
        out[i] = (_evaluate(f, args, index, up) - _evaluate(f, args, index, down)) / (2 * h)
    return out


# ---- the check -------------------------------------------------------------------------------


def _positions(f: Callable, wrt: Wrt) -> tuple[list[int], bool]:
    names = list(inspect.signature(f).parameters)
    many = isinstance(wrt, tuple | list)
    items = list(wrt) if many else [wrt]
    return [names.index(w) if isinstance(w, str) else w % len(names) for w in items], many


def check_grad(f: Callable, args: tuple | list, wrt: Wrt = 0, *, rtol: float = 1e-5, atol: float = 1e-6,
               seed: int = 0, with_value: bool = False) -> Any:
    """Assert that srcgrad's gradient of `f` at `args` matches float64 central finite differences.

    Args:
        f: a function of `args` returning a scalar.
        args: the arguments, any mix of floats, arrays and nested dict/list/tuple of them.
        wrt: what to differentiate, as for `srcgrad.grad`.
        rtol, atol: an entry passes when |grad - fd| <= atol + rtol * |fd| (for random directions,
            rtol scales the sum of |grad * direction| instead, so cancellation does not hide errors).
        seed: seed of the random directions.
        with_value: also use `value_and_grad` and compare its value with `f(*args)`.
    Returns:
        srcgrad's gradient (a tuple for a tuple `wrt`).
    Raises:
        AssertionError: on a structure, shape, dtype or value mismatch, naming the argument and entry.
    """
    args = list(args)
    positions, many = _positions(f, wrt)
    if with_value:
        value, grads = srcgrad.value_and_grad(f, wrt=wrt)(*args)
        np.testing.assert_allclose(np.asarray(value, dtype=np.float64), np.asarray(f(*args), dtype=np.float64),
                                   rtol=1e-12, atol=1e-12, err_msg="value_and_grad's value != f(*args)")
    else:
        grads = srcgrad.grad(f, wrt=wrt)(*args)
    if many:
        assert isinstance(grads, tuple) and len(grads) == len(positions), \
            f"a tuple wrt={wrt!r} needs a tuple of {len(positions)} gradients, got {type(grads).__name__}"
    grad_list = list(grads) if many else [grads]
    ref_args = [to_float64(a) for a in args]
    rng = np.random.default_rng(seed)
    for pos, grad in zip(positions, grad_list, strict=True):
        name = f"grad of {f.__name__} w.r.t. argument {pos}"
        check_structure(grad, args[pos], name)
        got = _flat([g for g, a in zip(leaves(grad), leaves(args[pos]), strict=True) if is_float_leaf(a)])
        assert np.all(np.isfinite(got)), f"{name}: non-finite gradient {got}"
        base = _flat(ref_args[pos])
        if base.size <= FULL_FD_MAX:
            want = numeric_grad(f, ref_args, pos)
            bad = np.abs(got - want) > atol + rtol * np.abs(want)
            assert not bad.any(), (
                f"{name}: entries {np.flatnonzero(bad).tolist()} differ from finite differences\n"
                f"srcgrad: {got[bad]}\nfinite differences: {want[bad]}")
        else:
            for _ in range(DIRECTIONS):
                direction = rng.normal(size=base.size)
                direction /= np.linalg.norm(direction)
                want = _directional(f, ref_args, pos, base, direction)
                have = float(got @ direction)
                scale = float(np.abs(got) @ np.abs(direction))
                assert abs(have - want) <= atol + rtol * max(scale, abs(want)), (
                    f"{name}: directional derivative {have} != finite differences {want}")
    return grads
