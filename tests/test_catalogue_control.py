"""Control-flow catalogue: each function's gradient w.r.t. each float argument, and all together.

References are float64 central finite differences (`gradcheck.check_grad`). Inputs are fixed
values by argument name (`DEFAULTS`), overridden per function by `@cases(...)`.
"""
import copy
import inspect
from typing import Any, Callable

import numpy as np
import pytest

import catalogue_control
import srcgrad
from gradcheck import check_grad, has_float

_rng = np.random.default_rng(20240611)

DEFAULTS = {
    "a": 1.3,
    "b": 0.4,
    "c": -0.6,
    "x": np.array([0.5, -1.2, 0.8, 1.9]),
    "y": np.array([-0.3, 0.9, 1.4, -0.6]),
    "h": np.array([0.2, -0.5, 0.7]),
    "W": 0.5 * _rng.normal(size=(3, 3)),
    "V": 0.5 * _rng.normal(size=(3, 3)),
    "U": 0.5 * _rng.normal(size=(3, 4)),
    "xs": _rng.normal(size=(5, 4)),
    "M": _rng.normal(size=(4, 4)),
    "L": [_rng.normal(size=4) for _ in range(3)],
    "pair": (_rng.normal(size=4), 0.7),
    "n": 3,
    "m": 2,
    "mask": np.array([True, False, True, False]),
}


def functions() -> list[Callable]:
    """The catalogue's public functions."""
    return [f for name, f in vars(catalogue_control).items()
            if inspect.isfunction(f) and f.__module__ == catalogue_control.__name__
            and not name.startswith("_") and name not in ("cases", "known_bug")]


def make_args(func: Callable, override: dict) -> list[Any]:
    """Fresh copies of the default arguments of `func`, with `override` applied."""
    names = inspect.signature(func).parameters
    return [copy.deepcopy(override.get(name, DEFAULTS[name])) for name in names]


def _cases() -> list:
    out = []
    for func in functions():
        params = list(inspect.signature(func).parameters)
        for k, override in enumerate(getattr(func, "cases", [{}])):
            args = make_args(func, override)
            floats = [i for i, arg in enumerate(args) if has_float(arg)]
            wrts = [*floats, tuple(floats)] if len(floats) > 1 else floats
            for wrt in wrts:
                label = "+".join(params[i] for i in wrt) if isinstance(wrt, tuple) else params[wrt]
                reason = getattr(func, "known_bug", None)
                marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
                out.append(pytest.param(func, override, wrt, marks=marks, id=f"{func.__name__}-case{k}-{label}"))
    return out


@pytest.mark.parametrize("func, override, wrt", _cases())
def test_gradient(func: Callable, override: dict, wrt: Any) -> None:
    args = make_args(func, override)
    check_grad(func, args, wrt, with_value=isinstance(wrt, tuple), rtol=1e-5, atol=1e-7)


def test_catalogue_is_big_enough() -> None:
    assert len(functions()) >= 100


def test_every_function_has_a_float_argument() -> None:
    assert [f.__name__ for f in functions() if not any(has_float(a) for a in make_args(f, {}))] == []


def test_cases_take_both_sides_of_a_branch() -> None:
    """Spot check that the chosen inputs really exercise different paths (not a gradient test)."""
    f = catalogue_control.break_data_dependent
    values = {f(*make_args(f, case)) for case in f.cases}
    assert len(values) == len(f.cases)


def test_enumerate_outside_a_loop_header_raises() -> None:
    """list(enumerate(x)) once gave a silently zero gradient; now it must raise."""
    with pytest.raises(srcgrad.SrcgradError):
        srcgrad.grad(catalogue_control._iter_list_of_enumerate)(np.array([1.0, 2.0, 3.0]))
