"""Forward over reverse and the compositions built on it: hvp, hessian, vjp, jacobian, check_grad.

HVPs are checked against closed forms, against central differences of srcgrad's own gradient
(tight: it isolates the forward-over-reverse step), and `v . H v` against second differences
of the function itself (loose, but independent of srcgrad).
"""
import copy
import sys
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import catalogue
import catalogue_control
import srcgrad
import test_catalogue
import test_catalogue_control

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
import train_digits  # noqa: E402


# ---- structures ------------------------------------------------------------------------------


def tree_map(f: Callable, *trees: Any) -> Any:
    tree = trees[0]
    if isinstance(tree, dict):
        return {k: tree_map(f, *(t[k] for t in trees)) for k in tree}
    if isinstance(tree, list | tuple):
        return type(tree)(tree_map(f, *items) for items in zip(*trees, strict=True))
    return f(*trees)


def leaves(tree: Any) -> list[Any]:
    out: list[Any] = []
    tree_map(lambda leaf: out.append(leaf), tree)
    return out


def direction(rng: np.random.Generator, tree: Any) -> Any:
    return tree_map(lambda a: float(rng.normal()) if isinstance(a, float) else rng.normal(size=np.shape(a)), tree)


def moved(args: list, i: int, v: Any, step: float) -> list:
    out = list(copy.deepcopy(args))
    out[i] = tree_map(lambda a, d: a + step * d, args[i], v)
    return out


def vdot(a: Any, b: Any) -> float:
    return float(sum(np.sum(np.asarray(x) * np.asarray(y)) for x, y in zip(leaves(a), leaves(b), strict=True)))


def check_hvp(func: Callable, args: list, i: int, seed: int = 0) -> None:
    """hvp against central differences of the gradient, and v.Hv against second differences of f."""
    v = direction(np.random.default_rng(seed), args[i])
    hv = srcgrad.hvp(func, i)(*args, v)
    g = srcgrad.grad(func, i)
    eps = 1e-5
    numeric = tree_map(lambda p, m: (np.asarray(p) - np.asarray(m)) / (2 * eps),
                       g(*moved(args, i, v, eps)), g(*moved(args, i, v, -eps)))
    for got, want in zip(leaves(hv), leaves(numeric), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)
    eps2 = 1e-4
    second = (float(np.sum(func(*moved(args, i, v, eps2)))) - 2 * float(np.sum(func(*args)))
              + float(np.sum(func(*moved(args, i, v, -eps2))))) / eps2 ** 2
    scale = max(1.0, abs(second))
    assert abs(vdot(v, hv) - second) <= 2e-3 * scale, (vdot(v, hv), second)


# ---- catalogue functions ---------------------------------------------------------------------

SMOOTH = [  # tests/catalogue.py: operators, NumPy, containers, subscripts, methods
    "div_vectors", "pow_vector_exponent", "matmul_batched", "mul_column_by_matrix", "augmented_power_and_matmul",
    "subscript_int_array_rows", "subscript_pairs_of_int_arrays", "dict_affine", "list_of_layers", "nested_tree",
    "method_prod", "method_var_std", "method_take_repeat", "np_tanh", "np_sinc", "np_logaddexp_broadcast",
    "np_hypot_broadcast", "np_prod_axis", "np_cumsum_axis", "np_trace_offset", "np_dot_tensor", "np_einsum_three_operands",
    "np_outer", "np_arctan2_broadcast",
]
CONTROL = [  # tests/catalogue_control.py: branches, loops, writes, lists, helper calls, recursion
    "if_data_dependent", "if_nested", "ifexp_in_loop", "while_newton_sqrt", "while_data_dependent_trips",
    "break_data_dependent", "continue_in_while", "nested_triangular", "listcomp_calls_helper", "buf_rnn",
    "buf_write_mask", "buf_cumulative_matrix", "list_rnn", "dict_in_loop", "call_helper_with_loop", "call_in_branch",
    "recursion_power", "recursion_mutual", "recursion_over_list_slices", "rnn_tanh_loss", "gru_like",
    "gradient_descent_inner_loop", "attention_loop", "masked_softmax_rows", "call_helper_writing_local_buffer",
    "horner", "iter_zip_three",
]


def _cases() -> list:
    out = []
    for name in SMOOTH:
        func = getattr(catalogue, name)
        args = test_catalogue.make_args(func)
        for i in (i for i, a in enumerate(args) if test_catalogue_control.has_float(a)):
            out.append(pytest.param(func, args, i, id=f"{name}-{i}"))
    for name in CONTROL:
        func = getattr(catalogue_control, name)
        args = test_catalogue_control.make_args(func, {})
        for i in (i for i, a in enumerate(args) if test_catalogue_control.has_float(a)):
            out.append(pytest.param(func, args, i, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize("func, args, i", _cases())
def test_hvp_of_catalogue_function(func: Callable, args: list, i: int) -> None:
    check_hvp(func, args, i)


# ---- closed forms ----------------------------------------------------------------------------


def quartic(x):
    return np.sum(x ** 4) + np.sum(x) ** 2


def log_det_quadratic(A, x):
    return x @ A @ x + np.sum(np.sin(A))


def softplus_sum(x):
    total = 0.0
    for i in range(len(x)):
        total = total + np.log1p(np.exp(x[i])) * (i + 1)
    return total


def test_hessian_closed_forms() -> None:
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.hessian(quartic)(x), np.diag(12 * x ** 2) + 2.0, rtol=1e-12)
    A = np.array([[1.0, 0.3, 0.0], [0.2, 2.0, -0.5], [0.0, 0.1, 1.5]])
    np.testing.assert_allclose(srcgrad.hessian(log_det_quadratic, wrt=1)(A, x), A + A.T, rtol=1e-12)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(srcgrad.hessian(softplus_sum)(x), np.diag(s * (1 - s) * [1, 2, 3]), rtol=1e-12)
    H = srcgrad.hessian(log_det_quadratic)(A, x)  # d2/dA2 of x A x + sum(sin A)
    assert H.shape == (3, 3, 3, 3)
    np.testing.assert_allclose(H.reshape(9, 9), np.diag(-np.sin(A).ravel()), atol=1e-12)


def test_hessian_of_a_float_argument() -> None:
    def f(a, x):
        return a ** 3 * np.sum(x)

    assert srcgrad.hessian(f)(2.0, np.ones(3)) == pytest.approx(6 * 2.0 * 3)


def test_hvp_wrt_several_arguments() -> None:
    def f(x, y):
        return np.sum(x * x * y)

    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    hx, hy = srcgrad.hvp(f, wrt=(0, 1))(x, y, (np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    np.testing.assert_allclose(hx, [2 * y[0], 2 * x[1]])  # d/dx (2 x y) . (vx, vy) = 2 y vx + 2 x vy
    np.testing.assert_allclose(hy, [2 * x[0], 0.0])


def test_jvp_of_a_gradient_function_and_its_generated_code() -> None:
    x = np.array([0.3, -0.2])
    v = np.array([1.0, 2.0])
    gradient, hv = srcgrad.jvp(srcgrad.grad(quartic))(x, v)
    np.testing.assert_allclose(gradient, 4 * x ** 3 + 2 * np.sum(x))
    np.testing.assert_allclose(hv, 12 * x ** 2 * v + 2 * np.sum(v))
    value_and_grads, tangent = srcgrad.jvp(srcgrad.grad(quartic).generated)(x, v)
    np.testing.assert_allclose(tangent[1][0], hv)
    (value, _), (t_value, _) = srcgrad.jvp(srcgrad.value_and_grad(quartic))(x, v)
    assert t_value == pytest.approx(np.dot(4 * x ** 3 + 2 * np.sum(x), v))
    assert "t_d_x" in srcgrad.hvp(quartic).source  # the tangent of the adjoint


# ---- the MLP of examples/train_digits.py, and an RNN ------------------------------------------


def _mlp(hidden: int = 16, batch: int = 8, dtype: type = np.float64) -> tuple[dict, np.ndarray, np.ndarray]:
    params = {k: v.astype(dtype) for k, v in train_digits.init_params(hidden, 0).items()}
    params["b1"] = params["b1"] + 0.05  # keep pre-activations away from the ReLU kink
    rng = np.random.default_rng(3)
    return params, rng.random((batch, 64)).astype(dtype), rng.integers(0, 10, batch)


def test_hvp_of_mlp_loss() -> None:
    params, x, y = _mlp()
    check_hvp(train_digits.loss, [params, x, y], 0)


def rnn(W, U, xs):
    h = np.zeros(W.shape[0])
    total = 0.0
    for x in xs:
        h = np.tanh(W @ h + U @ x)
        total = total + np.sum(h ** 2)
    return total


def test_hvp_and_hessian_of_rnn() -> None:
    rng = np.random.default_rng(4)
    W, U, xs = 0.5 * rng.normal(size=(3, 3)), rng.normal(size=(3, 2)), rng.normal(size=(5, 2))
    check_hvp(rnn, [W, U, xs], 0)
    check_hvp(rnn, [W, U, xs], 1)
    H = srcgrad.hessian(rnn)(W, U, xs)
    np.testing.assert_allclose(H.reshape(9, 9), H.reshape(9, 9).T, atol=1e-10)  # symmetric


# ---- vjp, jacobian ---------------------------------------------------------------------------


def layer(W, x):
    return np.tanh(W @ x)


def softmax(x):
    e = np.exp(x - np.max(x))
    return e / np.sum(e)


def cumulative(x, a):
    out = np.zeros(len(x))
    s = 0.0
    for i in range(len(x)):
        s = s * a + x[i]
        out[i] = s
    return out


def fd_jacobian(func: Callable, args: list, i: int) -> np.ndarray:
    x = np.asarray(args[i], dtype=np.float64)
    eps = 1e-6
    cols = []
    for k in range(x.size):
        e = np.zeros(x.size)
        e[k] = eps
        plus, minus = list(args), list(args)
        plus[i] = float(x + e[0]) if x.ndim == 0 else x + e.reshape(x.shape)
        minus[i] = float(x - e[0]) if x.ndim == 0 else x - e.reshape(x.shape)
        cols.append(np.ravel((np.asarray(func(*plus)) - np.asarray(func(*minus))) / (2 * eps)))
    out_shape = np.shape(func(*args))
    return np.stack(cols, axis=-1).reshape(out_shape + x.shape)


JACOBIAN_CASES = [
    (layer, [np.arange(12.0).reshape(4, 3) / 10, np.array([0.5, -0.3, 0.2])], 0),
    (layer, [np.arange(12.0).reshape(4, 3) / 10, np.array([0.5, -0.3, 0.2])], 1),
    (softmax, [np.array([0.1, 2.0, -1.0, 0.5])], 0),
    (cumulative, [np.array([1.0, -2.0, 0.5, 3.0, 1.5]), 0.7], 0),
    (cumulative, [np.array([1.0, -2.0, 0.5, 3.0, 1.5]), 0.7], 1),
]


@pytest.mark.parametrize("mode", ["forward", "reverse", "auto"])
@pytest.mark.parametrize("func, args, i", JACOBIAN_CASES, ids=lambda c: getattr(c, "__name__", None))
def test_jacobian(func: Callable, args: list, i: int, mode: str) -> None:
    J = srcgrad.jacobian(func, wrt=i, mode=mode)(*args)
    want = fd_jacobian(func, args, i)
    assert J.shape == np.shape(func(*args)) + np.shape(args[i])
    np.testing.assert_allclose(J, want, rtol=1e-6, atol=1e-8)


def test_vjp_pullback() -> None:
    W, x = np.arange(12.0).reshape(4, 3) / 10, np.array([0.5, -0.3, 0.2])
    value, pullback = srcgrad.vjp(layer, wrt=1)(W, x)
    np.testing.assert_allclose(value, layer(W, x))
    cot = np.array([1.0, -1.0, 2.0, 0.5])
    np.testing.assert_allclose(pullback(cot), fd_jacobian(layer, [W, x], 1).T @ cot, rtol=1e-6)
    _, pullback_W = srcgrad.vjp(layer)(W, x)
    assert pullback_W(cot).shape == W.shape


def test_jacobian_of_gradient_is_hessian() -> None:
    x = np.array([0.5, -1.0, 2.0])
    np.testing.assert_allclose(srcgrad.jacobian(srcgrad.grad(quartic), mode="forward")(x),
                               srcgrad.hessian(quartic)(x), rtol=1e-12)


# ---- check_grad ------------------------------------------------------------------------------


def cube_right(x):
    return x * x * x


def cube_wrong(x):
    return x * x * x


@srcgrad.adjoint(cube_right)
def _cube_right_rule(y, x):
    d[x] = d[y] * 3 * x * x  # noqa: F821


@srcgrad.adjoint(cube_wrong)
def _cube_wrong_rule(y, x):
    d[x] = d[y] * 2 * x * x  # noqa: F821  (deliberately wrong)


def uses_right(x):
    return np.sum(cube_right(x) * np.cos(x))


def uses_wrong(x):
    return np.sum(cube_wrong(x) * np.cos(x))


def test_check_grad_accepts_a_right_rule_and_reports_a_wrong_one() -> None:
    x = np.array([0.5, -1.2, 2.0])
    good = srcgrad.check_grad(uses_right, x)
    assert good.ok() and good.max_rel_error < 1e-6
    bad = srcgrad.check_grad(uses_wrong, x)
    assert not bad.ok() and bad.max_abs_error > 0.1
    right = 3 * x ** 2 * np.cos(x) - x ** 3 * np.sin(x)
    wrong = right - x ** 2 * np.cos(x)
    assert bad.index == (int(np.argmax(np.abs(right - wrong) / np.maximum(abs(right), abs(wrong)))),)
    assert bad.analytic == pytest.approx(wrong[bad.index]) and bad.numeric == pytest.approx(right[bad.index])
    assert "max abs error" in str(bad)
    assert srcgrad.check_grad(lambda_free_scalar, 1.5).index == ()


def lambda_free_scalar(a):
    return a ** 3


def test_every_runtime_helper_has_a_tangent() -> None:
    """Generated gradient code may call any public runtime helper; forward over reverse needs its tangent."""
    import inspect

    from srcgrad import runtime
    from srcgrad.rules.tangents import TANGENTS
    from srcgrad.rules.tangents.runtime import ZERO_TANGENT
    from srcgrad.runtime import arrays, broadcast, linalg, scipy, structure

    handled_by_the_sweep = {structure.restore_item,  # a statement writing into its first argument
                            # calls resolved at run time: forward mode compiles the callee's jvp itself,
                            # and second derivatives through them are refused (UnsupportedSyntaxError)
                            runtime.dispatch_fwd, runtime.dispatch_bwd, runtime.dispatch_jvp}
    missing = sorted({f"{obj.__module__}.{name}" for mod in (runtime, arrays, broadcast, linalg, scipy, structure)
                      for name, obj in vars(mod).items()
                      if inspect.isfunction(obj) and not name.startswith("_") and obj.__module__.startswith(
                          "srcgrad.runtime") and obj not in TANGENTS and obj not in ZERO_TANGENT
                      and obj not in handled_by_the_sweep})
    assert missing == []
