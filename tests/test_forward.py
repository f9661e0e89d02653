"""Forward mode (`srcgrad.jvp`): every catalogue function's directional derivative along random
tangents, against float64 central finite differences; plus the generated code's shape.

Inputs are the reverse-mode catalogues' own (`reverse_catalogue.make_args`,
`reverse_control.make_args`). Forward-mode failures are marked in `FORWARD_BUGS` below
(xfail strict); the catalogues' `known_bug`s are reverse-mode bugs and do not apply here.
"""
import inspect
import re
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
FORWARD_BUGS: dict[str, str] = {}


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


# ---- the generated code and the API ----------------------------------------------------------


def _rnn(W, xs):
    h = np.zeros(W.shape[0])
    hs = []
    for x in xs:
        h = np.tanh(W @ h + x)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def _uses_t_x(x, t_x):
    y = x * t_x
    return np.sum(y)


def _buffer(x):
    buf = np.zeros(3)
    for i in range(3):
        buf[i] = x[i] * x[i]
    return buf


def _power(a, n):
    if n == 0:
        return 1.0
    return a * _power(a, n - 1)


def _calls_power(a):
    return _power(a, 3) + _power(a * 2.0, 2)


def _dict_out(params, x):
    return {"h": np.tanh(params["W"] @ x), "s": float(np.sum(x))}


def test_generated_code_reads_like_the_primal() -> None:
    f = jvp(_rnn)
    W, xs = np.ones((3, 3)) * 0.1, np.ones((4, 3))
    f(W, xs, np.ones((3, 3)))
    source = f.source
    assert source.startswith("def jvp_rnn(W, xs, t_W):")
    assert "# tangent of line" in source and "h = np.tanh(W @ h + x)" in source
    assert "t_hs.append(t_h)" in source
    assert "_tape" not in source and "d_" not in source


def test_tangent_names_never_collide_with_user_names() -> None:
    f = jvp(_uses_t_x)
    x, tx = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    value, tangent = f(x, tx, np.array([1.0, 1.0]))
    assert tangent == pytest.approx(7.0)
    assert "def jvp_uses_t_x(x, t_x, t_x1):" in f.source


def test_writes_into_a_buffer_write_its_tangent() -> None:
    f = jvp(_buffer)
    x = np.array([1.0, 2.0, 3.0])
    value, tangent = f(x, np.array([1.0, 0.0, 2.0]))
    np.testing.assert_allclose(tangent, [2.0, 0.0, 12.0])
    assert "t_buf[i] = " in f.source


def test_show_prints_the_forward_code(capsys: pytest.CaptureFixture) -> None:
    srcgrad.show(_buffer, mode="forward")
    assert capsys.readouterr().out == jvp(_buffer).source


def test_generated_code_is_inspectable() -> None:
    f = jvp(_buffer)
    f(np.ones(3), np.ones(3))
    assert inspect.getsource(f._by_kind[(False,)]).strip().startswith("def jvp_buffer(x, t_x):")


def test_user_functions_and_recursion() -> None:
    f = jvp(_calls_power)
    value, tangent = f(1.5, 1.0)
    assert value == pytest.approx(1.5 ** 3 + 9.0)
    assert tangent == pytest.approx(3 * 1.5 ** 2 + 8 * 1.5)
    # Python 3.10's ast.unparse writes tuple targets in parentheses
    assert re.search(r"\(?_t1, t_t1\)? = power_jvp\(a, 3, t_a\)", f.source) and "def power_jvp(a, n, t_a):" in f.source


def test_structured_arguments_and_outputs() -> None:
    params = {"W": np.eye(2), "b": np.zeros(2)}
    x = np.array([0.5, -0.5])
    t_params = {"W": np.ones((2, 2)), "b": np.zeros(2)}
    value, tangent = jvp(_dict_out, wrt=(0, 1))(params, x, (t_params, np.array([1.0, 0.0])))
    assert set(tangent) == {"h", "s"} and isinstance(tangent["s"], float)
    h = np.tanh(x)
    np.testing.assert_allclose(tangent["h"], (1 - h * h) * (np.ones((2, 2)) @ x + np.array([1.0, 0.0])))
    assert tangent["s"] == 1.0


def test_decorator_form_and_top_level_export() -> None:
    @srcgrad.jvp(wrt="x")
    def square(x):
        return x * x

    assert square(3.0, 1.0) == (9.0, 6.0)
