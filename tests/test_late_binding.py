"""Issue 10 ("Trust"): the gradient sees what `f` sees when it is called.

Python binds late; each test changes something a compiled gradient once baked in (a helper
redefined, a global rebound, a default, a closure cell, a decorator, the source file, the class of
an object) and checks the gradient against a reference independent of srcgrad: a closed form,
float64 central finite differences, or f's own value.
"""
import functools
import importlib
import importlib.util
import linecache
import sys
import textwrap
import types
from pathlib import Path

import numpy as np
import pytest

import srcgrad
from srcgrad import compiler


def finite_difference(func, args: tuple, argnum: int, eps: float = 1e-6) -> np.ndarray:
    """Central finite differences of scalar `func(*args)` with respect to the float64 array `args[argnum]`."""
    x = np.asarray(args[argnum], dtype=np.float64)
    out = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        out[i] = (float(func(*args[:argnum], up, *args[argnum + 1:]))
                  - float(func(*args[:argnum], down, *args[argnum + 1:]))) / (2 * eps)
    return out


def close(actual, expected, rtol: float = 1e-7, atol: float = 1e-9) -> None:
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol)


X = np.array([0.5, -1.25, 2.0])


# ---- 9. a helper redefined after the first call (a notebook cell run again) -------------------------


class Notebook:
    """A module whose cells are run with exec, each registered in linecache as IPython does."""

    count = 0

    def __init__(self) -> None:
        Notebook.count += 1
        self.module = types.ModuleType(f"srcgrad_notebook_{Notebook.count}")
        self.module.np = np
        self.cells = 0

    def run(self, source: str) -> None:
        self.cells += 1
        filename = f"<notebook {Notebook.count} cell {self.cells}>"
        source = textwrap.dedent(source)
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), self.module.__dict__)

    def __getattr__(self, name: str):
        return getattr(self.module, name)


def test_helper_redefined_in_a_notebook_cell():
    nb = Notebook()
    nb.run("def helper(x):\n    return x * x\n")
    nb.run("def loss(x):\n    return np.sum(helper(x))\n")
    df = srcgrad.grad(nb.loss)
    close(df(X), 2 * X)
    nb.run("def helper(x):\n    return 3.0 * x\n")  # the user edits the helper's cell and runs it
    close(nb.loss(X), 3.0 * np.sum(X))
    close(df(X), np.full(3, 3.0))  # the gradient made before the edit
    close(srcgrad.grad(nb.loss)(X), np.full(3, 3.0))  # a brand-new gradient of the same function
    nb.run("def loss(x):\n    return np.sum(helper(x))\n")  # the unchanged loss cell run again
    close(srcgrad.grad(nb.loss)(X), np.full(3, 3.0))
    nb.run("def helper(x):\n    return np.sin(x) * x\n")
    close(srcgrad.grad(nb.loss)(X), finite_difference(nb.loss, (X,), 0), rtol=1e-6)
    close(srcgrad.value_and_grad(nb.loss)(X)[0], nb.loss(X))


def test_higher_derivatives_follow_a_redefined_helper():
    nb = Notebook()
    nb.run("def helper(x):\n    return x * x * x\n")
    nb.run("def loss(x):\n    return helper(x) * 2.0\n")
    second = srcgrad.grad(srcgrad.grad(nb.loss))
    product = srcgrad.hvp(nb.loss)
    inner = srcgrad.grad(nb.loss)

    def through_gradient(x):
        return inner(x) * 3.0

    outer = srcgrad.grad(through_gradient)
    close(second(1.5), 12.0 * 1.5)
    close(product(1.5, 1.0), 12.0 * 1.5)
    close(outer(1.5), 36.0 * 1.5)
    nb.run("def helper(x):\n    return x * x * x * x\n")
    close(second(1.5), 24.0 * 1.5 ** 2)
    close(product(1.5, 1.0), 24.0 * 1.5 ** 2)
    close(outer(1.5), 72.0 * 1.5 ** 2)


def test_helper_redefined_in_a_module_file_reloaded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    path = tmp_path / "srcgrad_late_helpers.py"
    path.write_text("def helper(x):\n    return x * x\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    helpers = importlib.import_module("srcgrad_late_helpers")

    def loss(x):
        return np.sum(helpers.helper(x))

    df = srcgrad.grad(loss)
    close(df(X), 2 * X)
    path.write_text("def helper(x):\n    return 5.0 * x + 0.0 * x\n")
    importlib.reload(helpers)
    close(loss(X), 5.0 * np.sum(X))
    close(df(X), np.full(3, 5.0))
    sys.modules.pop("srcgrad_late_helpers", None)


def test_clear_cache_drops_every_compiled_gradient():
    nb = Notebook()
    nb.run("def loss(x):\n    return np.sum(np.tanh(x) * x)\n")
    df = srcgrad.grad(nb.loss)
    hv = srcgrad.hvp(nb.loss)
    jf = srcgrad.jvp(nb.loss)
    df(X), hv(X, X), jf(X, X)
    first = df.generated
    srcgrad.clear_cache()
    assert len(compiler._JOINT) == 0 and len(compiler._SPLIT) == 0
    close(df(X), finite_difference(nb.loss, (X,), 0), rtol=1e-6)
    assert df.generated is not first  # compiled again
    close(jf(X, X)[1], finite_difference(nb.loss, (X,), 0) @ X, rtol=1e-6)
    close(hv(X, X), finite_difference(lambda x: srcgrad.grad(nb.loss)(x) @ X, (X,), 0), rtol=1e-5)


# ---- 10. a global rebound to another class; instances holding different functions -------------------


class Square:
    def act(self, z):
        return z * z


class Triple:
    def act(self, z):
        return 3.0 * z


model = Square()


def uses_global_model(x):
    return np.sum(model.act(x))


def test_global_rebound_to_another_class(monkeypatch: pytest.MonkeyPatch):
    df = srcgrad.grad(uses_global_model)
    close(df(X), 2 * X)
    monkeypatch.setattr(sys.modules[__name__], "model", Triple())
    close(uses_global_model(X), 3.0 * np.sum(X))
    close(df(X), np.full(3, 3.0))
    close(srcgrad.grad(uses_global_model)(X), np.full(3, 3.0))


def test_class_method_replaced(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys.modules[__name__], "model", Square())
    df = srcgrad.grad(uses_global_model)
    close(df(X), 2 * X)
    def sine(self, z):
        return np.sin(z)

    monkeypatch.setattr(Square, "act", sine)
    close(df(X), np.cos(X))


class Layer:
    def __init__(self, activation):
        self.activation = activation

    def loss(self, x):
        return np.sum(self.activation(x))


def test_instances_holding_different_functions_do_not_share_a_gradient():
    close(srcgrad.grad(Layer(np.tanh).loss)(X), 1 - np.tanh(X) ** 2)
    close(srcgrad.grad(Layer(np.sin).loss)(X), np.cos(X))
    close(srcgrad.grad(Layer(np.tanh).loss)(X), 1 - np.tanh(X) ** 2)


def test_attribute_of_bound_self_changed():
    layer = Layer(np.tanh)
    df = srcgrad.grad(layer.loss)
    close(df(X), 1 - np.tanh(X) ** 2)
    layer.activation = np.exp
    close(df(X), np.exp(X))


def loss_of_object_argument(x, layer):
    return np.sum(layer.activation(x) * x)


def test_object_arguments_with_different_attributes():
    df = srcgrad.grad(loss_of_object_argument)
    close(df(X, Layer(np.tanh)), np.tanh(X) + X * (1 - np.tanh(X) ** 2))
    close(df(X, Layer(np.sin)), np.sin(X) + X * np.cos(X))
    close(df(X, Layer(np.tanh)), np.tanh(X) + X * (1 - np.tanh(X) ** 2))
    jf = srcgrad.jvp(loss_of_object_argument)
    v = np.array([1.0, -2.0, 0.5])
    close(jf(X, Layer(np.sin), v)[1], (np.sin(X) + X * np.cos(X)) @ v)
    close(jf(X, Layer(np.exp), v)[1], (np.exp(X) + X * np.exp(X)) @ v)


class Scaled:
    def __init__(self, activation, scale):
        self.activation = activation
        self.scale = scale

    def act(self, z):
        return self.scale * self.activation(z)


def loss_through_method(x, m):
    return np.sum(m.act(x))


def test_method_of_argument_whose_own_attribute_differs():
    df = srcgrad.grad(loss_through_method)
    a, b = Scaled(np.tanh, 2.0), Scaled(np.sin, 2.0)
    close(df(X, a), finite_difference(loss_through_method, (X, a), 0), rtol=1e-6)
    close(df(X, b), finite_difference(loss_through_method, (X, b), 0), rtol=1e-6)


# ---- 11. defaults are the function's own --------------------------------------------------------------


def test_defaults_made_in_a_loop():
    functions = []
    for c in (1.0, 2.0, 3.0):
        def f(x, c=c):
            return c * x * x
        functions.append(f)
    assert [srcgrad.grad(f)(1.5) for f in functions] == [3.0, 6.0, 9.0]
    assert [srcgrad.value_and_grad(f)(1.5)[0] for f in functions] == [f(1.5) for f in functions]
    assert [srcgrad.jvp(f)(1.5, 1.0)[1] for f in functions] == [3.0, 6.0, 9.0]


SLOPE = 2.0


def scaled_square(x, c=SLOPE, *, k=SLOPE):
    return c * k * np.sum(x * x)


def calls_scaled_square(x):
    return scaled_square(x) + 0.0


def test_defaults_are_not_read_again_from_globals(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setattr(sys.modules[__name__], "SLOPE", 7.0)  # Python keeps the defaults made at def time
    close(scaled_square(X), 4.0 * np.sum(X * X))
    close(srcgrad.grad(scaled_square)(X), 8.0 * X)
    close(srcgrad.grad(calls_scaled_square)(X), 8.0 * X)
    close(srcgrad.jvp(calls_scaled_square)(X, X)[1], 8.0 * X @ X)


def test_defaults_replaced_on_the_function(monkeypatch: pytest.MonkeyPatch):
    df = srcgrad.grad(calls_scaled_square)
    close(df(X), 8.0 * X)
    monkeypatch.setattr(scaled_square, "__defaults__", (3.0,))
    close(df(X), 12.0 * X)
    monkeypatch.setattr(scaled_square, "__kwdefaults__", {"k": 5.0})
    close(df(X), 30.0 * X)


# ---- 12. closure variables are read when the gradient is called -----------------------------------------


def annealed():
    k = 1.0
    act = np.tanh

    def loss(x):
        return k * np.sum(act(x))

    def anneal():
        nonlocal k
        k = 2.0 * k

    def swap():
        nonlocal act
        act = np.sin

    return loss, anneal, swap


def test_closure_variable_updated_with_nonlocal():
    loss, anneal, swap = annealed()
    df, jf = srcgrad.grad(loss), srcgrad.jvp(loss)
    v = np.array([1.0, 0.0, -1.0])
    for k in (1.0, 2.0, 4.0):
        close(df(X), k * (1 - np.tanh(X) ** 2))
        close(jf(X, v)[1], k * (1 - np.tanh(X) ** 2) @ v)
        anneal()
    swap()
    close(df(X), 8.0 * np.cos(X))
    close(jf(X, v)[1], 8.0 * np.cos(X) @ v)


def test_closure_in_a_nested_helper_follows_the_cell():
    loss, anneal, swap = annealed()

    def outer(x):
        return loss(x) * 2.0

    df = srcgrad.grad(outer)
    close(df(X), 2.0 * (1 - np.tanh(X) ** 2))
    anneal()
    swap()
    close(df(X), 4.0 * np.cos(X))


# ---- 13. a decorated function is differentiated as the code that runs -------------------------------------


def doubled(fn):
    @functools.wraps(fn)
    def wrapper(x):
        return 2.0 * fn(x)
    return wrapper


@doubled
def decorated_square(x):
    return np.sum(x * x)


def test_functools_wraps_wrapper_is_differentiated():
    close(decorated_square(X), 2.0 * np.sum(X * X))
    close(srcgrad.grad(decorated_square)(X), 4.0 * X)
    close(srcgrad.value_and_grad(decorated_square)(X)[0], decorated_square(X))
    close(srcgrad.jvp(decorated_square)(X, X)[1], 4.0 * X @ X)

    def calls_it(x):
        return decorated_square(x) + 1.0

    close(srcgrad.grad(calls_it)(X), 4.0 * X)


def passthrough(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        return fn(*args, **kwargs)
    return wrapper


@passthrough
def decorated_cube(x):
    return np.sum(x ** 3)


def test_wrapper_with_star_args_is_an_honest_error():
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
        srcgrad.grad(decorated_cube)(X)
    assert "def wrapper(*args, **kwargs)" in str(info.value)


# ---- 14. a source file edited after import ----------------------------------------------------------------


MODULE = '''\
import numpy as np


def first(x):
    return np.sum(x * x)


def second(x):
    return np.sum(np.sin(x))
'''


def _import(path: Path, text: str) -> types.ModuleType:
    path.write_text(text)
    spec = importlib.util.spec_from_file_location(f"srcgrad_edited_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_file_edited_after_import_is_refused(tmp_path: Path):
    path = tmp_path / "edited.py"
    module = _import(path, MODULE)
    path.write_text(MODULE.replace("def first", "# a comment\n# another\ndef first"))  # two lines above
    with pytest.raises(srcgrad.SourceUnavailableError) as info:
        srcgrad.grad(module.second)(X)
    message = str(info.value)
    assert str(path) in message and "reload" in message and "line 8" in message
    path.write_text(MODULE.replace("x * x", "x * x * x"))  # the body edited in place
    with pytest.raises(srcgrad.SourceUnavailableError):
        srcgrad.grad(module.first)(X)
    close(module.first(X), np.sum(X * X))  # Python still runs the old code


def test_file_edited_then_reloaded_is_differentiated(tmp_path: Path):
    path = tmp_path / "reloaded.py"
    module = _import(path, MODULE)
    close(srcgrad.grad(module.second)(X), np.cos(X))
    edited = MODULE.replace("# nothing", "").replace("def first", "# a comment\n# another\ndef first")
    module = _import(path, edited.replace("np.sin(x)", "np.sin(x) * 2.0"))
    close(srcgrad.grad(module.second)(X), 2.0 * np.cos(X))


def test_cached_gradient_of_old_code_stays_right_after_an_edit(tmp_path: Path):
    path = tmp_path / "cached.py"
    module = _import(path, MODULE)
    df = srcgrad.grad(module.first)
    close(df(X), 2 * X)
    path.write_text(MODULE.replace("x * x", "x * x * x"))
    close(df(X), 2 * X)  # compiled from the text that matched the code Python still runs


# ---- 8. jvp resolves methods of object arguments as grad does ----------------------------------------------


class Smooth:
    def act(self, z):
        return np.tanh(z) * z


def layer_loss(x, model):
    return np.sum(model.act(x))


def test_jvp_of_a_method_of_an_object_argument():
    v = np.array([0.3, -1.0, 2.0])
    expected = finite_difference(layer_loss, (X, Smooth()), 0)
    close(srcgrad.grad(layer_loss)(X, Smooth()), expected, rtol=1e-6)
    value, slope = srcgrad.jvp(layer_loss)(X, Smooth(), v)
    close(value, layer_loss(X, Smooth()))
    close(slope, expected @ v, rtol=1e-6)
    close(srcgrad.jvp(layer_loss)(X, Triple(), v)[1], 3.0 * np.sum(v))
    close(srcgrad.hvp(layer_loss)(X, Smooth(), v),
          finite_difference(lambda x, m: srcgrad.grad(layer_loss)(x, m) @ v, (X, Smooth()), 0), rtol=1e-5)


def test_alternating_objects_reuse_their_gradients():
    df = srcgrad.grad(loss_of_object_argument)
    tanh, sine = Layer(np.tanh), Layer(np.sin)
    generated = set()
    for _ in range(3):
        close(df(X, tanh), np.tanh(X) + X * (1 - np.tanh(X) ** 2))
        generated.add(df.generated)
        close(df(X, sine), np.sin(X) + X * np.cos(X))
        generated.add(df.generated)
    assert len(generated) <= 2  # one gradient per activation, not one per call
