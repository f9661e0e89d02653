"""The public API contract: grad / value_and_grad / show, wrt, argument structures, caching.

Every gradient is checked against a closed form or float64 central finite differences, never
against srcgrad itself.
"""
import collections
import importlib.util
import inspect
import io
import sys
import textwrap
import traceback
import types
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import srcgrad
from srcgrad import compiler

SCALE = 3.0  # a module global the differentiated functions read live


# ---- helpers -------------------------------------------------------------------------------


def finite_difference(func: Callable[..., Any], args: tuple, argnum: int, eps: float = 1e-6) -> Any:
    """Central finite-difference gradient of scalar `func(*args)` w.r.t. float or float64 array `args[argnum]`."""
    x = args[argnum]

    def at(value: Any) -> float:
        new = list(args)
        new[argnum] = value
        return float(np.sum(func(*new)))

    if isinstance(x, float):
        return (at(x + eps) - at(x - eps)) / (2 * eps)
    x = np.asarray(x, dtype=np.float64)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (at(up) - at(down)) / (2 * eps)
    return out


def close(actual: Any, expected: Any, rtol: float = 1e-6, atol: float = 1e-8) -> None:
    """Assert numeric closeness."""
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


def load_module(path: Path, code: str) -> types.ModuleType:
    """Write `code` to `path` and import it under a unique module name."""
    path.write_text(textwrap.dedent(code))
    name = f"srcgrad_api_helper_{abs(hash(str(path)))}"
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---- functions under test ------------------------------------------------------------------


def sum_tanh(x):
    return np.sum(np.tanh(x))


def weighted(a, b, scale=3.0):
    return np.sum(a * b) * scale


def keyword_only(x, *, power=3.0):
    return np.sum(x ** power)


def matmul_sum(a, b):
    return np.sum(a @ b)


def square(x):
    return x * x


def reads_global(x):
    return np.sum(x) * SCALE


# ---- decorator forms and wrt ---------------------------------------------------------------


def test_grad_call_form_closed_form():
    x = np.array([-1.0, 0.0, 0.5, 2.0])
    g = srcgrad.grad(sum_tanh)(x)
    close(g, 1.0 - np.tanh(x) ** 2, rtol=1e-12)


def test_bare_decorator():
    @srcgrad.grad
    def dsin(x):
        return np.sum(np.sin(x))

    x = np.array([0.0, 1.0, 2.0])
    close(dsin(x), np.cos(x), rtol=1e-12)


def test_decorator_with_wrt_name_and_default():
    @srcgrad.grad(wrt="b")
    def db(a, b=2.0):
        return a * b * b

    assert db(1.5) == pytest.approx(2 * 1.5 * 2.0)
    assert db(1.5, b=3.0) == pytest.approx(2 * 1.5 * 3.0)
    assert db(a=1.5, b=3.0) == pytest.approx(2 * 1.5 * 3.0)
    assert isinstance(db(1.5), float)


def test_decorator_value_and_grad_with_tuple():
    @srcgrad.value_and_grad(wrt=(0, 1))
    def vg(a, b):
        return a * b + a

    value, (ga, gb) = vg(2.0, 5.0)
    assert value == 2.0 * 5.0 + 2.0
    assert (ga, gb) == (pytest.approx(6.0), pytest.approx(2.0))


def test_bare_value_and_grad_decorator():
    @srcgrad.value_and_grad
    def vg(x):
        return np.sum(np.exp(x))

    x = np.array([0.0, 1.0])
    value, g = vg(x)
    assert value == np.sum(np.exp(x))
    close(g, np.exp(x), rtol=1e-12)


@pytest.mark.parametrize(("wrt", "expected"), [
    (0, "a"), (1, "b"), (2, "scale"), (-1, "scale"), (-3, "a"), ("a", "a"), ("b", "b"), ("scale", "scale"),
])
def test_wrt_single(wrt: int | str, expected: str):
    args = (np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.7, -1.1]), 2.5)
    g = srcgrad.grad(weighted, wrt=wrt)(*args)
    index = ["a", "b", "scale"].index(expected)
    close(g, finite_difference(weighted, args, index))
    if expected == "scale":
        assert isinstance(g, float)
    else:
        assert isinstance(g, np.ndarray) and g.shape == (3,)


@pytest.mark.parametrize("wrt", [(0, 1), ("a", "b"), (0, "b"), (-1, 0), ("scale",), (1,), (2, 1, 0)], ids=repr)
def test_wrt_tuple(wrt: tuple):
    args = (np.array([1.0, -2.0, 0.5]), np.array([0.3, 0.7, -1.1]), 2.5)
    grads = srcgrad.grad(weighted, wrt=wrt)(*args)
    assert isinstance(grads, tuple) and len(grads) == len(wrt)
    names = ["a", "b", "scale"]
    for item, g in zip(wrt, grads, strict=True):
        index = item if isinstance(item, int) else names.index(item)
        close(g, finite_difference(weighted, args, index % 3))


def test_keyword_arguments_and_defaults_at_call_time():
    a, b = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    dfa = srcgrad.grad(weighted)
    close(dfa(a, b), b * 3.0, rtol=1e-12)  # default scale
    close(dfa(a, b, 0.5), b * 0.5, rtol=1e-12)
    close(dfa(a, b, scale=0.5), b * 0.5, rtol=1e-12)
    close(dfa(b=b, a=a, scale=0.5), b * 0.5, rtol=1e-12)
    dscale = srcgrad.grad(weighted, wrt="scale")
    assert dscale(a, b) == pytest.approx(np.sum(a * b))  # gradient w.r.t. a defaulted argument


def test_keyword_only_parameter():
    x = np.array([1.0, 2.0])
    close(srcgrad.grad(keyword_only)(x), 3.0 * x ** 2, rtol=1e-12)
    close(srcgrad.grad(keyword_only)(x, power=2.0), 2.0 * x, rtol=1e-12)
    g = srcgrad.grad(keyword_only, wrt="power")(x, power=2.0)
    assert g == pytest.approx(np.sum(x ** 2.0 * np.log(x)))


def test_value_equals_function_exactly():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=5), rng.normal(size=5)
    value, g = srcgrad.value_and_grad(weighted, wrt=(0, 2))(a, b, scale=1.7)
    expected = weighted(a, b, scale=1.7)
    assert value == expected and type(value) is type(expected)
    close(g[0], b * 1.7, rtol=1e-12)
    assert g[1] == pytest.approx(np.sum(a * b))
    value, _ = srcgrad.value_and_grad(square)(1.25)
    assert value == 1.25 * 1.25 and type(value) is float


# ---- gradient structures -------------------------------------------------------------------


def test_python_float_gives_float():
    g = srcgrad.grad(square)(3.0)
    assert type(g) is float and g == 6.0


def test_python_int_gives_float():
    g = srcgrad.grad(square)(3)
    assert type(g) is float and g == 6.0


def test_float32_array_stays_float32():
    x = np.array([0.5, -1.0, 2.0], dtype=np.float32)
    g = srcgrad.grad(sum_tanh)(x)
    assert g.dtype == np.float32 and g.shape == x.shape
    close(g, 1.0 - np.tanh(x.astype(np.float64)) ** 2, rtol=1e-5)


def test_int_array_gives_float_gradient():
    x = np.arange(4)
    g = srcgrad.grad(lambda v: np.sum(v * v))(x)
    assert g.dtype == np.float64 and g.shape == (4,)
    close(g, 2.0 * x, rtol=1e-12)


def test_zero_dim_array():
    x = np.array(1.5)
    g = srcgrad.grad(square)(x)
    assert isinstance(g, np.ndarray) and g.shape == () and g.dtype == np.float64
    assert float(g) == 3.0


def test_matrix_shape_preserved():
    a, b = np.arange(6.0).reshape(2, 3), np.linspace(-1, 1, 12).reshape(3, 4)
    ga, gb = srcgrad.grad(matmul_sum, wrt=(0, 1))(a, b)
    assert ga.shape == a.shape and gb.shape == b.shape
    close(ga, np.ones((2, 4)) @ b.T, rtol=1e-12)
    close(gb, a.T @ np.ones((2, 4)), rtol=1e-12)


def nested_loss(p):
    return np.sum(p["a"][0] * p["a"][1]["w"]) + p["b"][0] ** 2


def test_nested_containers_with_unused_entries():
    p = {
        "a": [np.array([1.0, 2.0]), {"w": np.array([3.0, -4.0]), "unused": np.ones((2, 3))}],
        "b": (2.0, np.zeros(4)),
        "c": np.ones(5, dtype=np.float32),
    }
    g = srcgrad.grad(nested_loss)(p)
    assert isinstance(g, dict) and list(g) == ["a", "b", "c"]
    assert isinstance(g["a"], list) and isinstance(g["a"][1], dict) and isinstance(g["b"], tuple)
    close(g["a"][0], p["a"][1]["w"], rtol=1e-12)
    close(g["a"][1]["w"], p["a"][0], rtol=1e-12)
    assert g["a"][1]["unused"].shape == (2, 3) and not np.any(g["a"][1]["unused"])
    assert type(g["b"][0]) is float and g["b"][0] == 4.0
    assert g["b"][1].shape == (4,) and not np.any(g["b"][1])
    assert g["c"].shape == (5,) and g["c"].dtype == np.float32 and not np.any(g["c"])


def test_list_and_tuple_params():
    def loss(ws, bs):
        return np.sum(ws[0] * ws[1]) + bs[1]

    ws, bs = [np.array([1.0, 2.0]), np.array([5.0, 7.0])], (1.0, 2.0, np.ones(3))
    gw, gb = srcgrad.grad(loss, wrt=(0, 1))(ws, bs)
    assert isinstance(gw, list) and isinstance(gb, tuple) and len(gb) == 3
    close(gw[0], ws[1], rtol=1e-12)
    close(gw[1], ws[0], rtol=1e-12)
    assert gb[0] == 0.0 and gb[1] == 1.0 and type(gb[0]) is float
    assert gb[2].shape == (3,) and not np.any(gb[2])


Params = collections.namedtuple("Params", "w b")


def namedtuple_by_index(p):
    return np.sum(p[0] * 2.0) + p[1] * p[1]


def namedtuple_by_field(p):
    return np.sum(p.w * 2.0) + p.b * p.b


def test_namedtuple_gradient_indexed():
    p = Params(np.array([1.0, -1.0]), 3.0)
    g = srcgrad.grad(namedtuple_by_index)(p)
    assert type(g) is Params
    close(g.w, [2.0, 2.0], rtol=1e-12)
    assert g.b == 6.0


def test_namedtuple_gradient_by_field():
    p = Params(np.array([1.0, -1.0]), 3.0)
    g = srcgrad.grad(namedtuple_by_field)(p)
    assert type(g) is Params
    close(g.w, [2.0, 2.0], rtol=1e-12)
    assert g.b == 6.0


# ---- generated code: source, show, inspect, tracebacks -------------------------------------


def test_source_text():
    df = srcgrad.grad(sum_tanh)
    source = df.source
    assert isinstance(source, str)
    assert "def grad_" in source
    _, first = inspect.getsourcelines(sum_tanh)
    assert f"# grad of line {first + 1}" in source


def test_show_prints_source(capsys: pytest.CaptureFixture):
    srcgrad.show(sum_tanh)
    printed = capsys.readouterr().out
    assert printed == srcgrad.value_and_grad(sum_tanh).source
    assert "def grad_sum_tanh" in printed
    buffer = io.StringIO()
    srcgrad.show(weighted, wrt=(0, 1), file=buffer)
    assert buffer.getvalue() == srcgrad.grad(weighted, wrt=(0, 1)).source


def test_show_accepts_a_gradient_function(capsys: pytest.CaptureFixture):
    df = srcgrad.grad(weighted, wrt="b")
    srcgrad.show(df)
    assert capsys.readouterr().out == df.source


def test_inspect_getsource_on_generated_function():
    df = srcgrad.grad(sum_tanh)
    text = inspect.getsource(df.generated)
    assert "def grad_sum_tanh" in text
    assert textwrap.dedent(text).strip() in df.source


def test_traceback_shows_generated_line():
    df = srcgrad.grad(matmul_sum)
    df(np.ones((2, 3)), np.ones((3, 2)))
    matmul_lines = [line.strip() for line in df.source.splitlines() if "a @ b" in line]
    assert matmul_lines
    with pytest.raises(ValueError):
        try:
            df(np.ones((2, 3)), np.ones((4, 2)))
        except ValueError:
            formatted = traceback.format_exc()
            raise
    assert "<srcgrad" in formatted and "grad_matmul_sum" in formatted
    assert any(line in formatted for line in matmul_lines), formatted


# ---- caching -------------------------------------------------------------------------------


def only_for_caching(a, b):
    return np.sum(a * b)


def test_caching_does_not_recompile():
    df = srcgrad.grad(only_for_caching, wrt=1)
    a, b = np.ones(3), np.arange(3.0)
    size = len(compiler._JOINT)
    close(df(a, b), a, rtol=1e-12)
    assert len(compiler._JOINT) == size + 1
    generated = df.generated
    for _ in range(3):
        df(a, b)
    assert df.generated is df.generated is generated
    assert len(compiler._JOINT) == size + 1
    again = srcgrad.grad(only_for_caching, wrt="b")  # a new GradientFunction of the same thing
    close(again(a, b), a, rtol=1e-12)
    assert again.generated is generated
    assert len(compiler._JOINT) == size + 1
    close(srcgrad.grad(only_for_caching, wrt=0)(a, b), b, rtol=1e-12)  # another wrt is another entry
    assert len(compiler._JOINT) == size + 2


# ---- closures, globals and other modules ---------------------------------------------------


def _closing_over_constant(c: float) -> Callable:
    def f(x):
        return np.sum(x * c)
    return f


def _closing_over_function(h: Callable) -> Callable:
    def f(x):
        return np.sum(h(x))
    return f


def _cube(v):
    return v * v * v


def test_closure_over_constant():
    x = np.array([1.0, 2.0])
    close(srcgrad.grad(_closing_over_constant(5.0))(x), [5.0, 5.0], rtol=1e-12)
    close(srcgrad.grad(_closing_over_constant(7.0))(x), [7.0, 7.0], rtol=1e-12)


def test_closure_over_function():
    x = np.array([1.0, -2.0])
    close(srcgrad.grad(_closing_over_function(_cube))(x), 3 * x ** 2, rtol=1e-12)


def test_globals_are_read_live(monkeypatch: pytest.MonkeyPatch):
    df = srcgrad.grad(reads_global)
    x = np.array([1.0, 2.0])
    close(df(x), [3.0, 3.0], rtol=1e-12)
    monkeypatch.setattr(sys.modules[__name__], "SCALE", 4.0)
    close(df(x), [4.0, 4.0], rtol=1e-12)


HELPER_MODULE = """
import numpy as np

FACTOR = 2.0

def poly(v):
    w = v * v * FACTOR
    return w + v

def pair(u, v):
    return np.sum(u * np.sin(v))
"""


@pytest.fixture
def helper_module(tmp_path: Path) -> types.ModuleType:
    """A module of helpers in its own file."""
    return load_module(tmp_path / "srcgrad_api_helpers.py", HELPER_MODULE)


def test_loss_calling_helpers_in_another_module(helper_module: types.ModuleType, monkeypatch: pytest.MonkeyPatch):
    def loss(x, y):
        z = helper_module.poly(x)
        return np.sum(z) + helper_module.pair(x, y)

    x, y = np.array([0.5, -1.0, 2.0]), np.array([0.1, 0.2, 0.3])
    gx, gy = srcgrad.grad(loss, wrt=(0, 1))(x, y)
    close(gx, 2 * 2.0 * x + 1 + np.sin(y), rtol=1e-12)
    close(gy, x * np.cos(y), rtol=1e-12)
    close(gx, finite_difference(loss, (x, y), 0))
    monkeypatch.setattr(helper_module, "FACTOR", 5.0)  # the helper's globals are live too
    close(srcgrad.grad(loss)(x, y), 2 * 5.0 * x + 1 + np.sin(y), rtol=1e-12)
    source = srcgrad.grad(loss).source
    assert "def poly_fwd" in source and "def poly_bwd" in source


def test_helper_only_some_arguments_varied(helper_module: types.ModuleType):
    def loss(x, y):
        return helper_module.pair(x, y)

    x, y = np.array([0.5, -1.0]), np.array([0.1, 0.2])
    close(srcgrad.grad(loss, wrt="y")(x, y), x * np.cos(y), rtol=1e-12)
    close(srcgrad.grad(loss, wrt="x")(x, y), np.sin(y), rtol=1e-12)


def early_return(x):
    return x * 2.0
    y = x * 3.0  # unreachable, as in Python
    return y


def test_code_after_a_return_is_unreachable():
    assert srcgrad.grad(early_return)(1.5) == 2.0
    assert srcgrad.value_and_grad(early_return)(1.5) == (early_return(1.5), 2.0)


def test_method_via_descriptor():
    class Model:
        scale = 2.0

        @srcgrad.grad(wrt="x")
        def dloss(self, x):
            return np.sum(x * x)

    x = np.array([1.0, 3.0])
    close(Model().dloss(x), 2 * x, rtol=1e-12)
