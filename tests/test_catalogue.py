"""Every catalogue function's gradient w.r.t. each float argument, alone and all together, vs finite differences.

Inputs come from the argument names (`KINDS`) and the function's `@domain` (`DOMAINS`), drawn from
a generator seeded by the function's name, so every case is reproducible on its own. float32 cases
cast arrays to float32 and scalars to np.float32, check that the gradients are float32, and compare
them with the same float64 finite-difference reference at a looser tolerance.
"""
import inspect
import zlib
from typing import Any, Callable

import numpy as np
import pytest

import catalogue
import gradcheck
import srcgrad
from gradcheck import check_grad, has_float

# ---- inputs ----------------------------------------------------------------------------------

SHAPES = {
    "a": (), "b": (), "c": (),
    "x": (3,), "y": (3,), "z": (3,),
    "u": (4,), "v": (4,),
    "W": (4, 3), "V": (4, 3),
    "A": (3, 3), "B": (3, 3),
    "X": (5, 3),
    "T": (2, 3, 4),
}
STRUCTURES = {
    "params": {"W": (4, 3), "b": (4,)},
    "layers": [{"W": (4, 3), "b": (4,)}, {"W": (2, 4), "b": (2,)}],
    "pair": ((3,), ()),
    "tree": {"enc": [(3,), (3,)], "dec": ((4, 3), {"b": (4,), "s": ()})},
    "record": catalogue.Affine(W=(4, 3), b=(4,)),
}
CONSTANTS = {
    "n": lambda rng: 2,
    "idx": lambda rng: np.array([2, 0, 2]),
    "mask": lambda rng: np.array([True, False, True]),
    "labels": lambda rng: rng.integers(0, 4, size=5),
}


def _uniform(low: float, high: float) -> Callable:
    return lambda rng, shape: rng.uniform(low, high, size=shape)


def _nonzero(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    return rng.choice([-1.0, 1.0], size=shape) * rng.uniform(0.5, 2.0, size=shape)


def _spd(rng: np.random.Generator, shape: tuple) -> np.ndarray:
    m = rng.normal(size=shape)
    return m @ m.T / shape[0] + np.eye(shape[0])


DOMAINS = {
    "real": lambda rng, shape: rng.normal(size=shape),
    "positive": _uniform(0.5, 2.0),
    "unit": _uniform(-0.8, 0.8),
    "above1": _uniform(1.2, 3.0),
    "nonzero": _nonzero,
    "spd": _spd,
}


def _value(rng: np.random.Generator, layout: Any, kind: str, dtype: type) -> Any:
    """A value of `layout` (a shape, or a dict/list/tuple of shapes) drawn from domain `kind`."""
    if isinstance(layout, dict):
        return {key: _value(rng, item, kind, dtype) for key, item in layout.items()}
    if isinstance(layout, list):
        return [_value(rng, item, kind, dtype) for item in layout]
    if isinstance(layout, tuple) and not all(isinstance(n, int) for n in layout):
        items = [_value(rng, item, kind, dtype) for item in layout]
        return type(layout)(*items) if hasattr(layout, "_fields") else tuple(items)
    drawn = DOMAINS[kind](rng, layout)
    if layout == ():
        return float(drawn) if dtype is np.float64 else np.float32(drawn)
    return np.asarray(drawn, dtype=dtype)


def make_args(func: Callable, dtype: type = np.float64) -> list[Any]:
    """Arguments for `func` chosen by parameter name and domain, from a generator seeded by its name."""
    rng = np.random.default_rng(zlib.crc32(func.__name__.encode()))
    domains = getattr(func, "domains", {})
    args = []
    for name in inspect.signature(func).parameters:
        if name in CONSTANTS:
            args.append(CONSTANTS[name](rng))
        else:
            layout = SHAPES[name] if name in SHAPES else STRUCTURES[name]
            args.append(_value(rng, layout, domains.get(name, "real"), dtype))
    return args


# ---- cases -----------------------------------------------------------------------------------


def catalogue_functions() -> list[Callable]:
    """The catalogue's test functions: public functions defined in the catalogue module."""
    return [f for name, f in vars(catalogue).items()
            if inspect.isfunction(f) and f.__module__ == catalogue.__name__ and not name.startswith("_")
            and name not in ("domain", "known_bug")]


def float_params(func: Callable) -> list[str]:
    """The names of `func`'s parameters that hold floats (the ones to differentiate)."""
    names = list(inspect.signature(func).parameters)
    return [name for name, arg in zip(names, make_args(func), strict=True) if has_float(arg)]


def _marks(func: Callable, wrt: Any, dtype: str) -> list:
    """xfail marks for the catalogue's `known_bug`s that apply to this case."""
    params = list(inspect.signature(func).parameters)
    names = {params[w] if isinstance(w, int) else w for w in (wrt if isinstance(wrt, tuple) else (wrt,))}
    return [pytest.mark.xfail(reason=reason, strict=True)
            for reason, only_dtype, args in getattr(func, "known_bugs", [])
            if only_dtype in (None, dtype) and (args is None or names & set(args))]


def _cases() -> list:
    """(func, wrt, dtype): each float argument by position, then all of them as a tuple of names."""
    cases = []
    for func in catalogue_functions():
        names = float_params(func)
        params = list(inspect.signature(func).parameters)
        for wrt in [*(params.index(n) for n in names), tuple(names)]:
            for dtype in ("float64", "float32"):
                cases.append(pytest.param(func, wrt, dtype, marks=_marks(func, wrt, dtype),
                                          id=f"{func.__name__}-{wrt}-{dtype}"))
    return cases


TOLERANCES = {"float64": {"rtol": 1e-5, "atol": 1e-7}, "float32": {"rtol": 2e-3, "atol": 2e-4}}


@pytest.mark.parametrize("func, wrt, dtype", _cases())
def test_gradient(func: Callable, wrt: Any, dtype: str) -> None:
    args = make_args(func, np.dtype(dtype).type)
    check_grad(func, args, wrt, with_value=isinstance(wrt, tuple), **TOLERANCES[dtype])


def test_catalogue_is_big_enough() -> None:
    assert len(catalogue_functions()) >= 110


def test_every_function_has_a_float_argument() -> None:
    assert [f.__name__ for f in catalogue_functions() if not float_params(f)] == []


# ---- the checker itself ----------------------------------------------------------------------


def test_numeric_grad_matches_a_closed_form() -> None:
    x = np.array([0.5, -1.0, 2.0])
    want = 3.0 * x ** 2 * 1.5
    got = gradcheck.numeric_grad(lambda x, a: np.sum(x ** 3) * a, [x, 1.5], 0)
    np.testing.assert_allclose(got, want, rtol=1e-8)


def test_numeric_grad_of_a_nested_argument_follows_sorted_leaves() -> None:
    tree = {"b": [1.0, np.array([2.0, 3.0])], "a": (np.array([4.0]), 5)}
    got = gradcheck.numeric_grad(lambda t: t["a"][0][0] * t["b"][1][1] + t["b"][0] ** 2, [tree], 0)
    # leaves in order: a[0] (float array), a[1] (int, skipped), b[0], b[1]
    np.testing.assert_allclose(got, [3.0, 2.0, 0.0, 4.0], rtol=1e-8, atol=1e-8)


@pytest.mark.parametrize("size", [3, gradcheck.FULL_FD_MAX + 40])
def test_check_grad_rejects_a_wrong_gradient(monkeypatch: pytest.MonkeyPatch, size: int) -> None:
    grad = srcgrad.grad

    def off_by_one_percent(f: Callable, wrt: Any = 0) -> Callable:
        right = grad(f, wrt=wrt)
        return lambda *args: right(*args) * 1.01

    monkeypatch.setattr(gradcheck.srcgrad, "grad", off_by_one_percent)
    x = np.linspace(0.5, 1.5, size)
    with pytest.raises(AssertionError, match="finite differences"):
        check_grad(catalogue.np_sin, [x], 0)


def test_check_grad_accepts_a_right_gradient_along_random_directions() -> None:
    x = np.random.default_rng(0).normal(size=gradcheck.FULL_FD_MAX + 40)
    np.testing.assert_allclose(check_grad(catalogue.np_sin, [x], 0), np.cos(x), rtol=1e-14)


@pytest.mark.parametrize("grad, arg, message", [
    (np.zeros(3), np.zeros(3, np.float32), "dtype float64 != float32"),
    (np.float64(1.0), 1.0, "Python float gradient"),
    (np.zeros(2), np.zeros(3), "shape"),
    ([1.0, 2.0], (1.0, 2.0), "expected a tuple"),
    ({"W": np.zeros(2)}, {"W": np.zeros(2), "b": 1.0}, "keys"),
    ([np.zeros(2)], [np.zeros(2), np.zeros(2)], "length"),
])
def test_check_structure_rejects(grad: Any, arg: Any, message: str) -> None:
    with pytest.raises(AssertionError, match=message):
        gradcheck.check_structure(grad, arg)
