"""Forward mode (`srcgrad.jvp`): every catalogue function's directional derivative along random
tangents, against float64 central finite differences; plus the generated code's shape.

Inputs are the reverse-mode catalogues' own (`reverse_catalogue.make_args`,
`reverse_control.make_args`). Forward-mode failures are marked in `FORWARD_BUGS` below
(xfail strict); the catalogues' `known_bug`s are reverse-mode bugs and do not apply here.
"""
import inspect
import zlib
from typing import Any, Callable

import numpy as np
import pytest

import catalogue
import catalogue_control
import srcgrad
from srcgrad.forward import jvp
import test_catalogue as reverse_catalogue
import test_catalogue_control as reverse_control
from gradcheck import is_float_leaf, leaves, rebuild, to_float64

STEP = 1e-6

# function name -> why forward mode fails on it (xfail strict)
FORWARD_BUGS: dict[str, str] = {
    # shared with reverse mode: the front end (passes/, not transforms/) loses the derivative
    "iter_list_of_enumerate": "front end: enumerate(x) outside a for header resolves as non-differentiable, "
                              "so the tangent is silently zero (same as the reverse-mode known bug)",
    "alias_augassign_through_second_name": "front end: `z += e` desugars to `z = z + e`, which no longer mutates "
                                           "the array z aliases, so the value itself differs from f(x)",
}


# ---- the check -------------------------------------------------------------------------------


def random_tangent(arg: Any, rng: np.random.Generator) -> Any:
    """A tangent with `arg`'s structure: random normal floats at float leaves, 0.0 elsewhere."""
    def leaf(x: Any) -> Any:
        if not is_float_leaf(x):
            return 0.0
        if isinstance(x, np.ndarray):
            return rng.normal(size=x.shape)
        return float(rng.normal())

    return rebuild(arg, [leaf(x) for x in leaves(arg)])


def _moved(arg: Any, tangent: Any, h: float) -> Any:
    out = []
    for x, t in zip(leaves(arg), leaves(tangent), strict=True):
        if not is_float_leaf(x):
            out.append(x)
        elif isinstance(x, np.ndarray):
            out.append(x + h * t)
        else:
            out.append(type(x)(x + h * t))
    return rebuild(arg, out)


def _flat_out(value: Any) -> np.ndarray:
    parts = [np.ravel(np.asarray(v, dtype=np.float64)) for v in leaves(value)]
    return np.concatenate(parts) if parts else np.zeros(0)


def check_jvp(f: Callable, args: list, wrt: Any, seed: int = 0, rtol: float = 1e-5, atol: float = 1e-6) -> None:
    """Assert jvp(f, wrt)(*args, tangent) == (f(*args), central differences along tangent)."""
    names = list(inspect.signature(f).parameters)
    positions = [names.index(w) if isinstance(w, str) else w for w in (wrt if isinstance(wrt, tuple) else (wrt,))]
    rng = np.random.default_rng(seed)
    ref = [to_float64(a) for a in args]
    tangents = [random_tangent(ref[p], rng) for p in positions]
    value, tangent = jvp(f, wrt=wrt)(*args, tuple(tangents) if isinstance(wrt, tuple) else tangents[0])
    np.testing.assert_allclose(_flat_out(value), _flat_out(f(*args)), rtol=1e-12, atol=1e-12,
                               err_msg="jvp's value != f(*args)")
    scale = max([1.0] + [float(np.max(np.abs(_flat_out(ref[p]))) if _flat_out(ref[p]).size else 0.0)
                         for p in positions])
    h = STEP * scale
    up, down = list(ref), list(ref)
    for p, t in zip(positions, tangents, strict=True):
        up[p], down[p] = _moved(ref[p], t, h), _moved(ref[p], t, -h)
    want = (_flat_out(f(*up)) - _flat_out(f(*down))) / (2 * h)
    have = _flat_out(tangent)
    assert have.shape == want.shape, f"tangent shape {have.shape} != output shape {want.shape}"
    assert np.all(np.isfinite(have)), f"non-finite tangent {have}"
    bad = np.abs(have - want) > atol + rtol * np.maximum(np.abs(want), np.abs(have))
    assert not bad.any(), f"jvp {have[bad]} != finite differences {want[bad]}"


# ---- the catalogues --------------------------------------------------------------------------


def _mark(func: Callable) -> list:
    reason = FORWARD_BUGS.get(func.__name__)
    return [pytest.mark.xfail(reason=reason, strict=True)] if reason else []


def _catalogue_cases() -> list:
    cases = []
    for func in reverse_catalogue.catalogue_functions():
        names = reverse_catalogue.float_params(func)
        params = list(inspect.signature(func).parameters)
        wrts = [*(params.index(n) for n in names)] + ([tuple(names)] if len(names) > 1 else [])
        for wrt in wrts:
            cases.append(pytest.param(func, wrt, marks=_mark(func), id=f"{func.__name__}-{wrt}"))
    return cases


def _control_cases() -> list:
    cases = []
    for func in reverse_control.functions():
        params = list(inspect.signature(func).parameters)
        for k, override in enumerate(getattr(func, "cases", [{}])):
            args = reverse_control.make_args(func, override)
            floats = [i for i, arg in enumerate(args) if any(is_float_leaf(x) for x in leaves(arg))]
            for wrt in [*floats, tuple(floats)] if len(floats) > 1 else floats:
                label = "+".join(params[i] for i in wrt) if isinstance(wrt, tuple) else params[wrt]
                cases.append(pytest.param(func, override, wrt, marks=_mark(func),
                                          id=f"{func.__name__}-case{k}-{label}"))
    return cases


@pytest.mark.parametrize("func, wrt", _catalogue_cases())
def test_catalogue(func: Callable, wrt: Any) -> None:
    args = reverse_catalogue.make_args(func)
    check_jvp(func, args, wrt, seed=zlib.crc32(func.__name__.encode()))


@pytest.mark.parametrize("func, override, wrt", _control_cases())
def test_catalogue_control(func: Callable, override: dict, wrt: Any) -> None:
    args = reverse_control.make_args(func, override)
    check_jvp(func, args, wrt, seed=zlib.crc32(func.__name__.encode()))
