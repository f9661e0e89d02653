"""`grad(f, check=True)`: compare the first calls of each compiled gradient with `f` itself.

For a call with arguments `args`, the gradient's value must equal `f(*args)`, and its derivative
along a random unit direction `v` of the differentiated arguments, `sum(g * v)`, must match the
central finite difference of `f` in float64, `(f(x + h v) - f(x - h v)) / 2h`. The step checks
itself: the estimates with `h` and `h / 2` must agree, else `h` shrinks; one-sided differences that
disagree by as much at `h / 2` as at `h` reveal a kink. At a kink, a discontinuity, or where no step
gives a stable estimate (noise), the call is not judged rather than falsely accused.

`f` may draw random numbers. The states of NumPy's global generator, of Python's `random`, and of
the NumPy Generators and RandomStates that `f` names (globals, closure) are saved before the
gradient runs, restored before every extra run of `f` (so each run draws what the gradient drew),
and at the end set to what the gradient left: the caller observes what an unchecked call gives,
except that `f` ran a few more times. If `f` still gives two different values for the same
arguments, it is not judged. Arguments are copied (arrays, dicts, lists, tuples, named tuples,
dataclasses) before `f` runs on them, so an `f` that writes into its inputs does not change the caller's.
"""
import random
from typing import Any, Callable

import numpy as np

from srcgrad.errors import GradientCheckError
from srcgrad.runtime import records

_RANDOM_TYPES = (np.random.Generator, np.random.RandomState)


class _RandomStates:
    """The states of the random generators `f` can reach, to be put back."""

    def __init__(self, func: Callable):
        self.generators = _generators(func)

    def save(self) -> tuple:
        return (np.random.get_state(), random.getstate(),
                [(g, g.bit_generator.state if isinstance(g, np.random.Generator) else g.get_state())
                 for g in self.generators])

    @staticmethod
    def restore(saved: tuple) -> None:
        numpy_state, python_state, generators = saved
        np.random.set_state(numpy_state)
        random.setstate(python_state)
        for g, state in generators:
            if isinstance(g, np.random.Generator):
                g.bit_generator.state = state
            else:
                g.set_state(state)


def _generators(func: Callable) -> list[Any]:
    """NumPy Generators/RandomStates named by `func`'s code (globals and closure), one level deep."""
    func = getattr(func, "__func__", func)
    while hasattr(func, "func") and not hasattr(func, "__code__"):  # a GradientFunction of a GradientFunction
        func = func.func
    code = getattr(func, "__code__", None)
    if code is None:
        return []
    found = [func.__globals__.get(name) for name in code.co_names]
    for cell in func.__closure__ or ():
        try:
            found.append(cell.cell_contents)
        except ValueError:
            pass
    unique: dict[int, Any] = {}
    for obj in found:
        if isinstance(obj, _RANDOM_TYPES):
            unique.setdefault(id(obj), obj)
    return list(unique.values())


def _copy(x: Any) -> Any:
    if isinstance(x, np.ndarray):
        return x.copy()
    if isinstance(x, dict):
        return {k: _copy(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_copy(v) for v in x]
    if records.is_record(x):
        return records.rebuild(x, [_copy(v) for v in _values(x)])
    if isinstance(x, tuple):
        return tuple(_copy(v) for v in x)
    return x


def _values(x: Any) -> list:
    """The items of a list or tuple, or the fields of a named tuple or dataclass, in order."""
    return [v for _, _, v in records.items(x)] if records.is_record(x) else list(x)


def _scalar(value: Any) -> float:
    return float(np.sum(np.asarray(value, dtype=np.float64)))


# ---- directions: leaves of the differentiated arguments ---------------------------------------------


def _direction(x: Any, rng: np.random.Generator) -> Any:
    """A random direction with x's structure: normal entries at float leaves, None elsewhere (not moved)."""
    if isinstance(x, float | np.floating) and not isinstance(x, bool):
        return float(rng.standard_normal())
    if isinstance(x, np.ndarray):
        return rng.standard_normal(x.shape) if x.dtype.kind == "f" else None
    if isinstance(x, dict):
        return {k: _direction(v, rng) for k, v in x.items()}
    if isinstance(x, list | tuple) or records.is_record(x):
        return [_direction(v, rng) for v in _values(x)]
    return None


def _leaves(x: Any, v: Any, g: Any):
    """(value, direction, gradient) at each moved leaf."""
    if v is None:
        return
    if isinstance(v, dict):
        for k in v:
            yield from _leaves(x[k], v[k], g[k] if isinstance(g, dict) else None)
    elif isinstance(v, list):
        gs = _values(g) if g is not None else [None] * len(v)
        for xi, vi, gi in zip(_values(x), v, gs):
            yield from _leaves(xi, vi, gi)
    else:
        yield x, v, g


def _moved(x: Any, v: Any, t: float) -> Any:
    """x + t v in float64 at the moved leaves; the rest as it is (copied)."""
    if v is None:
        return _copy(x)
    if isinstance(v, dict):
        return {k: _moved(x[k], v[k], t) for k in x}
    if isinstance(v, list):
        items = [_moved(xi, vi, t) for xi, vi in zip(_values(x), v)]
        return records.rebuild(x, items) if records.is_record(x) else type(x)(items)
    if isinstance(v, np.ndarray):
        return np.asarray(x, dtype=np.float64) + t * v
    return float(x) + t * v


def _scale(v: Any, factor: float) -> Any:
    if v is None:
        return None
    if isinstance(v, dict):
        return {k: _scale(w, factor) for k, w in v.items()}
    if isinstance(v, list):
        return [_scale(w, factor) for w in v]
    return v * factor


# ---- the check ------------------------------------------------------------------------------------


def checked_call(gradient: Any, compiled: Any, args: tuple, kwargs: dict) -> tuple[Any, tuple]:
    """Run the compiled gradient, then judge it against `gradient.func` (see the module docstring).

    Returns what the unchecked call returns; raises GradientCheckError on a disagreement.
    """
    compiled.checks -= 1
    states = _RandomStates(gradient.func)
    before = states.save()
    try:
        value, grads = compiled.function(*args, **kwargs)
    except Exception as exc:
        from srcgrad.errors import NonScalarOutputError

        if isinstance(exc, NonScalarOutputError):
            raise gradient._at_return(exc) from None
        raise
    after = states.save()
    try:
        _judge(gradient, value, grads, args, kwargs, lambda: states.restore(before), seed=compiled.checks)
    finally:
        states.restore(after)
    return value, grads


def _judge(gradient: Any, value: Any, grads: tuple, args: tuple, kwargs: dict, rewind: Callable[[], None],
           seed: int) -> None:
    f = gradient.func

    def run(call_args: tuple, call_kwargs: dict) -> float:
        rewind()
        return _scalar(f(*call_args, **call_kwargs))

    expected = run(_copy(args), _copy(kwargs))
    if run(_copy(args), _copy(kwargs)) != expected and not (np.isnan(expected)):
        return  # f is not a function of its arguments alone (an unsaved random source): nothing to judge
    got = _scalar(value)
    wrt = [(name, index) for name, index in gradient._wrt_at]
    inputs = [args[i] if i is not None and i < len(args) else kwargs.get(name) for name, i in wrt]
    low = any(isinstance(leaf, np.ndarray | np.floating) and leaf.dtype.itemsize < 8
              for x in inputs for leaf in _flat(x))
    rtol = 1e-3 if low else 1e-6
    if not (got == expected or abs(got - expected) <= rtol * max(abs(expected), 1e-300) + 1e-12 or
            (np.isnan(got) and np.isnan(expected))):
        _fail(gradient, f"its value {got!r} is not f's value {expected!r} for the same arguments "
                        f"(tolerance {rtol:.0e} relative)")
    if not np.isfinite(expected):
        return
    rng = np.random.default_rng(20240 + seed)
    directions = [_direction(x, rng) for x in inputs]
    norm = np.sqrt(sum(float(np.sum(np.square(v))) for x, d in zip(inputs, directions) for _, v, _ in _leaves(x, d, None)))
    if norm == 0:
        return
    directions = [_scale(d, 1.0 / norm) for d in directions]
    slope = 0.0
    grad_norm = 0.0
    for x, d, g in zip(inputs, directions, grads):
        for _, v, gl in _leaves(x, d, g):
            gl = np.asarray(gl, dtype=np.float64)
            slope += float(np.sum(gl * v))
            grad_norm += float(np.sum(gl * gl))
    grad_norm = np.sqrt(grad_norm)
    size = max((float(np.max(np.abs(np.asarray(leaf, dtype=np.float64)))) for x, d in zip(inputs, directions)
                for leaf, _, _ in _leaves(x, d, None)), default=0.0)

    def along(t: float) -> float:
        moved_args, moved_kwargs = list(_copy(args)), _copy(kwargs)
        for (name, index), x, d in zip(wrt, inputs, directions):
            if index is not None and index < len(args):
                moved_args[index] = _moved(x, d, t)
            else:
                moved_kwargs[name] = _moved(x, d, t)
        return run(tuple(moved_args), moved_kwargs)

    tolerance = (3e-3 if low else 2e-5) * max(grad_norm, abs(slope)) + 1e-8 * (1.0 + abs(expected))
    step = 1e-5 * (1.0 + size)
    estimate = None
    center = along(0.0)
    for _ in range(4):
        up, down, half_up, half_down = along(step), along(-step), along(step / 2), along(-step / 2)
        coarse, fine = (up - down) / (2 * step), (half_up - half_down) / step
        # one-sided slopes differ by h * (second derivative) where f is smooth: the gap halves with the
        # step; at a kink it does not, and the central difference there is no derivative at all
        gap, half_gap = (up - 2 * center + down) / step, (half_up - 2 * center + half_down) / (step / 2)
        if not all(np.isfinite([coarse, fine, gap, half_gap])):
            step /= 10
            continue
        if abs(half_gap) > tolerance and abs(half_gap) > 0.75 * abs(gap):
            return  # a kink along this direction: not judged
        if abs(coarse - fine) <= tolerance / 4:
            estimate = (4 * fine - coarse) / 3  # Richardson: the h^2 error terms cancel
            break
        step /= 10
    if estimate is None:
        return  # no stable finite difference here (a kink or noise): not judged
    if not abs(estimate - slope) <= tolerance:
        _fail(gradient, f"along a random unit direction its derivative is {slope!r}, but finite differences of "
                        f"f give {estimate!r} (difference {abs(estimate - slope):.3g} > tolerance {tolerance:.3g}; "
                        f"direction norm 1, step {step:.1e}, gradient norm {grad_norm:.6g})")


def _flat(x: Any):
    if isinstance(x, dict):
        for v in x.values():
            yield from _flat(v)
    elif isinstance(x, list | tuple) or records.is_record(x):
        for v in _values(x):
            yield from _flat(v)
    else:
        yield x


def _fail(gradient: Any, what: str) -> None:
    from srcgrad.api import _def_origin

    func = gradient.func
    name = getattr(func, "__qualname__", repr(func))
    names = ", ".join(gradient._names)
    raise GradientCheckError(
        f"check=True: the gradient of {name} with respect to {names} disagrees with the function: {what}",
        _def_origin(func),
        hint="If the function calls something you gave a rule (@srcgrad.adjoint), check that rule; otherwise "
             "srcgrad computed a wrong gradient: please report it with this function. (check=True runs the "
             "function a few extra times on the first calls; leave it off to skip this comparison.)")
