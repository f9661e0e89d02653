"""Calls of gradients that fail read like the user's code and say what to do (issue 15, API side).

Each test checks the message (the user's function, file, line, and the way out), not only the type. Gradients
are compared with closed forms or central finite differences, never with srcgrad itself.
"""
import functools
import importlib
import inspect
import multiprocessing
import pickle
import re
import sys
import warnings
from typing import Any

import numpy as np
import pytest

import call_errors_helpers as helpers
import srcgrad
from srcgrad import RecursionLimitError, SignatureError
from srcgrad.higher import hessian, hvp, jacobian, vjp


def square_scaled(x, scale=1.0):
    return scale * np.sum(x * x)


def python_error(func, *args, **kwargs) -> str:
    """The message Python gives for calling `func` itself with these arguments (the reference)."""
    with pytest.raises(TypeError) as info:
        func(*args, **kwargs)
    return str(info.value)


def def_line(func) -> int:
    return func.__code__.co_firstlineno


def central_difference(f, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    g = np.zeros_like(x)
    for i in np.ndindex(*x.shape):
        up, down = x.copy(), x.copy()
        up[i] += eps
        down[i] -= eps
        g[i] = (f(up) - f(down)) / (2 * eps)
    return g


# ---- 1. arguments the function does not take -----------------------------------------------------------

X = np.array([0.5, -1.0, 2.0])

WRONG_CALLS = [
    pytest.param((X, 2.0, 3.0), {}, id="too-many"),
    pytest.param((X,), {"sclae": 2.0}, id="unknown-keyword"),
    pytest.param((), {}, id="nothing"),
]


@pytest.mark.parametrize("args, kwargs", WRONG_CALLS)
@pytest.mark.parametrize("make, label, returns", [
    (srcgrad.grad, "grad(square_scaled)", "the gradient with respect to x"),
    (srcgrad.value_and_grad, "value_and_grad(square_scaled)", "(value, the gradient with respect to x)"),
    (hessian, "hessian(square_scaled)", "its Hessian"),
    (vjp, "vjp(square_scaled)", "(value, pullback)"),
    (jacobian, "jacobian(square_scaled)", "its Jacobian"),
])
def test_wrong_arguments_read_like_calling_the_function(make, label, returns, args, kwargs):
    with pytest.raises(SignatureError) as info:
        make(square_scaled)(*args, **kwargs)
    err = info.value
    assert isinstance(err, TypeError)  # what calling square_scaled itself raises
    assert str(err).startswith(python_error(square_scaled, *args, **kwargs))
    assert "_srcgrad_factory" not in str(err) and "<locals>" not in str(err)
    assert err.origin.filename == __file__ and err.origin.lineno == def_line(square_scaled)
    assert "def square_scaled(x, scale=1.0):" in str(err)
    assert err.hint == (f"{label} takes the arguments of square_scaled(x, scale=1.0), as square_scaled does, "
                        f"and returns {returns}.")


def test_wrong_arguments_of_a_bound_method():
    model = helpers.Quadratic(2.0)
    for args in [(X,), (X, X, X)]:  # Python counts `self` in the second message: so does srcgrad
        with pytest.raises(SignatureError) as info:
            srcgrad.grad(model.loss)(*args)
        assert str(info.value).startswith(python_error(model.loss, *args))
        assert info.value.origin.filename == helpers.__file__
        assert "grad(loss) takes the arguments of loss(w, x)" in info.value.hint


def test_a_type_error_inside_the_function_is_not_rewritten():
    def adds_none(x):
        return np.sum(x) + None

    with pytest.raises(TypeError) as info:
        srcgrad.grad(adds_none)(X)
    assert not isinstance(info.value, SignatureError)
    assert "NoneType" in str(info.value)


def test_jvp_without_its_tangent_says_so():
    with pytest.raises(SignatureError) as info:
        srcgrad.jvp(square_scaled)(X)
    err = info.value
    assert str(err).startswith("jvp(square_scaled) was called without a tangent: the arguments given are "
                               "square_scaled's own (x)")
    assert err.origin.lineno == def_line(square_scaled)
    assert "Call it as jvp(square_scaled)(x, scale=1.0, tangent): the arguments of square_scaled(x, scale=1.0), " \
           "then a tangent." in str(err)


def test_jvp_with_too_many_arguments_counts_them_as_the_function_does():
    with pytest.raises(SignatureError) as info:
        srcgrad.jvp(square_scaled)(X, 2.0, 3.0, X)
    assert str(info.value).startswith(python_error(square_scaled, X, 2.0, 3.0)
                                      + " (the last positional argument given to jvp(square_scaled) is the tangent)")


def test_jvp_with_a_tuple_of_the_wrong_number_of_tangents():
    with pytest.raises(SignatureError) as info:
        srcgrad.jvp(square_scaled, wrt=(0, 1))(X, 2.0, (X,))
    assert "was given a tuple of 1 tangents, but wrt=(0, 1) selects 2 arguments (x, scale)" in str(info.value)
    assert "Pass one tangent per argument in wrt" in str(info.value)


def test_hvp_without_its_vector_says_so():
    with pytest.raises(SignatureError, match=r"^hvp\(square_scaled\) was called without a tangent"):
        hvp(square_scaled)(X)


def test_right_calls_still_work_with_keywords_and_defaults():
    df = srcgrad.grad(square_scaled)
    np.testing.assert_allclose(df(X), 2 * X)
    np.testing.assert_allclose(df(X, scale=3.0), 6 * X)
    np.testing.assert_allclose(df(x=X, scale=3.0), 6 * X)
    value, slope = srcgrad.jvp(square_scaled)(X, 3.0, np.ones(3))
    assert slope == pytest.approx(2 * 3.0 * np.sum(X))
    value, slope = srcgrad.jvp(square_scaled)(X, np.ones(3), scale=3.0)
    assert slope == pytest.approx(2 * 3.0 * np.sum(X))
    value, pullback = vjp(square_scaled)(X, 3.0)  # a default parameter given: the cotangent goes by keyword
    np.testing.assert_allclose(pullback(1.0), 6 * X)
    value, pullback = vjp(square_scaled)(X)  # was: the cotangent taken as `scale`
    np.testing.assert_allclose(pullback(2.0), 4 * X)


# ---- 2. partials and functions with a rule but no source ------------------------------------------------


def test_grad_of_a_partial_differentiates_the_underlying_function():
    f = functools.partial(helpers.scaled, y=2.0)
    np.testing.assert_allclose(srcgrad.grad(f)(X), 2.0 * np.cos(X))
    # wrt names the partial's remaining parameters; y keeps its bound value unless passed
    assert srcgrad.grad(f, wrt="y")(X) == pytest.approx(np.sum(np.sin(X)) + 3.0)
    assert srcgrad.grad(f, wrt="y")(X, y=5.0, z=1.0) == pytest.approx(np.sum(np.sin(X)) + 1.0)
    g = functools.partial(helpers.scaled, X)  # a bound positional argument: the rest is (y, z=3.0)
    assert srcgrad.grad(g)(2.0) == pytest.approx(np.sum(np.sin(X)) + 3.0)
    value, slope = srcgrad.jvp(f)(X, np.ones(3))
    assert slope == pytest.approx(np.sum(2.0 * np.cos(X)))
    np.testing.assert_allclose(hessian(f)(X), np.diag(-2.0 * np.sin(X)), atol=1e-12)
    np.testing.assert_allclose(vjp(f)(X)[1](1.0), 2.0 * np.cos(X))


def test_grad_of_a_partial_of_a_method():
    model = helpers.Quadratic(2.0)
    w = np.array([0.5, 1.5])
    f = functools.partial(model.loss, x=X[:2])
    np.testing.assert_allclose(srcgrad.grad(f)(w), 2.0 * 2 * w * X[:2] ** 2)
    np.testing.assert_allclose(srcgrad.grad(model)(w), 3 * w ** 2)  # an object called like a function


def test_a_partial_called_wrongly_names_the_underlying_function():
    f = functools.partial(helpers.scaled, y=2.0)
    with pytest.raises(SignatureError) as info:
        srcgrad.grad(f)(X, 1.0)
    assert str(info.value).startswith("scaled() takes 1 positional argument but 2 were given")
    assert info.value.origin.filename == helpers.__file__ and info.value.origin.lineno == def_line(helpers.scaled)
    assert "grad(scaled) takes the arguments of scaled(x, *, y=2.0, z=3.0)" in info.value.hint
    with pytest.raises(srcgrad.WrtError, match="wrt=3 but scaled has 3 parameters: x, y, z"):
        srcgrad.grad(f, wrt=3)


def test_numpy_functions_with_a_rule_are_differentiated_through_it():
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.grad(np.sum)(x), np.ones(3))
    np.testing.assert_allclose(srcgrad.grad(np.sum)(x, keepdims=True), np.ones(3))
    assert srcgrad.grad(np.sin)(0.5) == pytest.approx(np.cos(0.5))
    value, derivative = srcgrad.value_and_grad(np.sin)(0.5)
    assert (value, derivative) == (pytest.approx(np.sin(0.5)), pytest.approx(np.cos(0.5)))
    np.testing.assert_allclose(srcgrad.grad(np.linalg.norm)(x), x / np.linalg.norm(x))
    np.testing.assert_allclose(srcgrad.grad(np.linalg.norm)(x, 1), np.sign(x))
    assert srcgrad.grad(np.arctan2, wrt=(0, 1))(0.5, 1.5) == (pytest.approx(1.5 / 2.5), pytest.approx(-0.5 / 2.5))
    value, slope = srcgrad.jvp(np.linalg.norm)(x, np.ones(3))
    assert slope == pytest.approx(np.sum(x) / np.linalg.norm(x))
    n = np.linalg.norm(x)
    np.testing.assert_allclose(hessian(np.linalg.norm)(x), (np.eye(3) - np.outer(x, x) / n ** 2) / n, atol=1e-12)
    np.testing.assert_allclose(jacobian(np.sin)(x), np.diag(np.cos(x)))
    np.testing.assert_allclose(central_difference(lambda v: np.linalg.norm(v), x), srcgrad.grad(np.linalg.norm)(x),
                               rtol=1e-6)


def star_norm(x, *args, **kwargs):
    return np.linalg.norm(x, *args, **kwargs)


def test_jvp_of_a_function_taking_star_args():
    # the generated forward-mode function takes *args and **kwargs as values (it dropped them: NameError)
    x = np.array([3.0, -4.0])
    value, slope = srcgrad.jvp(star_norm)(x, np.array([1.0, 0.0]))
    assert (value, slope) == (pytest.approx(5.0), pytest.approx(3.0 / 5.0))
    value, slope = srcgrad.jvp(star_norm)(x, 1, np.array([1.0, 1.0]))  # ord=1: |x0| + |x1|
    assert (value, slope) == (pytest.approx(7.0), pytest.approx(1.0 - 1.0))
    value, slope = srcgrad.jvp(star_norm)(x, np.array([0.0, 1.0]), ord=np.inf)
    assert (value, slope) == (pytest.approx(4.0), pytest.approx(-1.0))


def test_numpy_function_called_wrongly_reads_like_numpy():
    with pytest.raises(SignatureError) as info:
        srcgrad.grad(np.sum)(X, foo=1)
    assert str(info.value).startswith("sum() got an unexpected keyword argument 'foo'")
    assert "grad(sum) takes the arguments of sum(a, axis=None" in info.value.hint
    with pytest.raises(SignatureError, match=r"^sin\(\) takes 1 positional argument but 2 were given"):
        srcgrad.grad(np.sin)(X, X)


# ---- 3. deep recursion, long expressions ---------------------------------------------------------------


def test_recursion_as_deep_as_the_function_runs():
    depth = 500
    assert helpers.descend(1.0, depth) == pytest.approx(1.001 ** depth)  # the plain function runs
    assert srcgrad.grad(helpers.descend)(1.0, depth) == pytest.approx(1.001 ** depth)
    value, slope = srcgrad.jvp(helpers.descend)(1.0, depth, 1.0)
    assert slope == pytest.approx(1.001 ** depth)


def test_recursion_past_the_limit_names_the_recursive_call_and_the_limit():
    depth = sys.getrecursionlimit() + 200
    with pytest.raises(RecursionError):
        helpers.descend(1.0, depth)  # the function itself cannot run that deep either
    for label, call in [("grad(descend)", lambda: srcgrad.grad(helpers.descend)(1.0, depth)),
                        ("jvp(descend)", lambda: srcgrad.jvp(helpers.descend)(1.0, depth, 1.0))]:
        with pytest.raises(RecursionLimitError) as info:
            call()
        err = info.value
        assert isinstance(err, RecursionError)
        assert str(err).startswith(f"{label} reached Python's recursion limit ({sys.getrecursionlimit()} frames): "
                                   "descend calls itself about ")
        assert err.origin.filename == helpers.__file__
        assert err.origin.text == "return descend(x, n - 1) * 1.001"
        assert "sys.setrecursionlimit(" in err.hint and "write the recursion as a loop" in err.hint


def _module(tmp_path, name: str, text: str):
    (tmp_path / f"{name}.py").write_text(text)
    sys.path.insert(0, str(tmp_path))
    try:
        return importlib.import_module(name)
    finally:
        sys.path.remove(str(tmp_path))


def test_a_500_term_sum_in_one_statement(tmp_path):
    names = [f"x{i}" for i in range(500)]
    module = _module(tmp_path, "long_sum_500", f"def long_sum({', '.join(names)}):\n"
                                               f"    return {' + '.join(names)}\n")
    limit = sys.getrecursionlimit()
    xs = [float(i) for i in range(500)]
    assert srcgrad.grad(module.long_sum, wrt=(0, 250, 499))(*xs) == (1.0, 1.0, 1.0)
    tangent = 1.0
    value, slope = srcgrad.jvp(module.long_sum, wrt=499)(*xs, tangent)
    assert (value, slope) == (sum(xs), 1.0)
    assert sys.getrecursionlimit() == limit  # raised while compiling only


def test_a_statement_nested_deeper_than_srcgrad_compiles(tmp_path):
    deep = srcgrad.depth.MAX_NESTING + 100  # 3100 levels; 1500 on Python 3.12, which compiles at most about 2990
    names = " + ".join(["x"] * deep)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(40000)  # Python needs it to compile this at all
    try:
        module = _module(tmp_path, f"long_sum_{deep}", f"def longer(x):\n    y = x\n    return {names}\n")
    finally:
        sys.setrecursionlimit(limit)
    with pytest.raises(RecursionLimitError) as info:
        srcgrad.grad(module.longer)(1.0)
    err = info.value
    levels = int(re.match(r"this statement nests (\d+) levels deep \(a long chain like", str(err)).group(1))
    assert deep <= levels <= deep + 2
    assert f"more than the {srcgrad.depth.MAX_NESTING} levels srcgrad compiles on Python 3." in str(err)
    assert err.origin.filename == module.__file__ and err.origin.lineno == 3
    assert "Split it into several statements" in err.hint
    assert sys.getrecursionlimit() == limit


def test_conditionals_nested_deeper_than_python_compiles_name_the_statement(tmp_path):
    expr = "x"
    for i in range(120):  # each `a if c else b` becomes a nested `if` in the gradient: Python allows 100
        expr = f"(x * {i}.0 if x > {i} else {expr})"
    module = _module(tmp_path, "deep_conditionals", f"def pick(x):\n    y = x * 2.0\n    return {expr}\n")
    assert module.pick(0.5) == 0.5 * 0.0  # the function itself runs
    for call in (lambda: srcgrad.grad(module.pick)(0.5), lambda: srcgrad.jvp(module.pick)(0.5, 1.0)):
        with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
            call()
        err = info.value
        assert "nests more blocks than Python can compile" in str(err)
        assert err.origin.filename == module.__file__ and err.origin.lineno == 3
        assert "Split the expression into several statements" in err.hint


# ---- 4. pickling ---------------------------------------------------------------------------------------


def test_gradients_pickle_by_function_and_wrt():
    x = np.array([1.0, -2.0])
    assert pickle.loads(pickle.dumps(helpers.grad_of_cubes)) is helpers.grad_of_cubes  # by its module name
    made = [srcgrad.grad(helpers.cubes), srcgrad.value_and_grad(helpers.cubes, wrt=(0, 1), check=True),
            srcgrad.jvp(helpers.cubes), hvp(helpers.cubes), hessian(helpers.cubes), vjp(helpers.cubes),
            jacobian(helpers.cubes), srcgrad.grad(functools.partial(helpers.cubes, scale=2.0))]
    for gradient in made:  # compiled before pickling: the compiled code stays behind
        tangent = [np.ones(2)] if isinstance(gradient, srcgrad.forward.JvpFunction | srcgrad.higher.HvpFunction) \
            else []
        gradient(x, *([2.0] if gradient is made[1] else []), *tangent)
    back = [pickle.loads(pickle.dumps(g)) for g in made]
    np.testing.assert_allclose(back[0](x), 3 * x ** 2)
    value, (gx, gscale) = back[1](x, 2.0)
    assert back[1].check is True and value == pytest.approx(2.0 * np.sum(x ** 3))
    np.testing.assert_allclose(gx, 6 * x ** 2)
    assert gscale == pytest.approx(np.sum(x ** 3))
    assert back[2](x, np.ones(2))[1] == pytest.approx(np.sum(3 * x ** 2))
    np.testing.assert_allclose(back[3](x, np.array([1.0, 0.0])), [6 * x[0], 0.0])
    np.testing.assert_allclose(back[4](x), np.diag(6 * x))
    np.testing.assert_allclose(back[5](x)[1](1.0), 3 * x ** 2)
    np.testing.assert_allclose(back[6](x), 3 * x ** 2)
    np.testing.assert_allclose(back[7](x), 6 * x ** 2)


def test_a_decorated_gradient_maps_over_a_spawned_pool():
    xs = [np.array([1.0, 2.0]), np.array([-3.0]), np.arange(4.0)]
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        got = pool.map(helpers.grad_of_cubes, xs)
        made = pool.map(srcgrad.grad(helpers.cubes, wrt="scale"), [np.array([2.0])])
    for x, g in zip(xs, got):
        np.testing.assert_allclose(g, 3 * x ** 2)
    assert made == [pytest.approx(8.0)]


# ---- 5. what NumPy gives, and outputs that are not scalars ---------------------------------------------


def mean_loss(x, w):
    return w * np.mean(x)


def method_mean(x):
    return x.mean() + 1.0


def runtime_warnings(thunk) -> tuple[Any, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = thunk()
    return result, [str(w.message) for w in caught if issubclass(w.category, RuntimeWarning)]


def test_mean_of_an_empty_array_is_nan_with_a_warning_not_zero_division():
    empty = np.zeros(0)
    expected, numpy_says = runtime_warnings(lambda: np.mean(empty))  # NumPy: nan, "Mean of empty slice"
    assert np.isnan(expected) and any("Mean of empty slice" in m for m in numpy_says)
    (gx, gw), said = runtime_warnings(lambda: srcgrad.grad(mean_loss, wrt=(0, 1))(empty, 2.0))
    assert gx.shape == (0,) and gx.dtype == np.float64
    assert np.isnan(gw)  # d/dw (w * mean(x)) = mean(x) = nan
    assert any("Mean of empty slice: its gradient is nan" in m for m in said)
    g, said = runtime_warnings(lambda: srcgrad.grad(method_mean)(np.zeros((0, 3))))
    assert g.shape == (0, 3) and any("Mean of empty slice: its gradient is nan" in m for m in said)
    (value, slope), said = runtime_warnings(lambda: srcgrad.jvp(mean_loss, wrt=1)(empty, 2.0, 1.0))
    assert np.isnan(value) and np.isnan(slope) and any("Mean of empty slice" in m for m in said)


def constant_pair(x):
    return (1.0, 2.0)


def constant_none(x):
    y = x * 2.0
    return None


def constant_float(x):
    return 3.0


@pytest.mark.parametrize("func, what", [(constant_pair, "a tuple"), (constant_none, "a NoneType")])
def test_a_constant_output_that_is_not_a_scalar_is_refused(func, what):
    for make in (srcgrad.grad, srcgrad.value_and_grad):
        with pytest.raises(srcgrad.NonScalarOutputError) as info:
            make(func)(1.0)
        err = info.value
        assert str(err).startswith(f"grad needs a scalar output, but the function returned {what}")
        return_line = def_line(func) + len(inspect.getsourcelines(func)[0]) - 1
        assert err.origin.filename == __file__ and err.origin.lineno == return_line
        assert err.hint.startswith("Return a float or a one-element array")


def test_a_constant_scalar_output_has_a_zero_gradient():
    assert srcgrad.grad(constant_float)(1.5) == 0.0
    np.testing.assert_array_equal(srcgrad.grad(constant_float)(np.ones(2)), np.zeros(2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert hessian(constant_float)(1.5) == 0.0
