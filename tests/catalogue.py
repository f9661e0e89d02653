"""Plain functions to differentiate, one concern each (Tangent's catalogue).

Argument names say what each argument is (`SHAPES`, `STRUCTURES` and `CONSTANTS` in test_catalogue.py):
`a, b, c` Python floats; `x, y, z` vectors of 3; `u, v` vectors of 4; `W, V` 4x3 matrices;
`A, B` 3x3 matrices; `X` a 5x3 batch; `T` a 2x3x4 tensor; `n` a small int; `idx` an int array;
`mask` a bool array; `labels` class indices for `X`; `params` a dict; `layers` a list of dicts;
`pair` a (vector, float) tuple; `tree` nested dicts, lists and tuples; `record` an `Affine` named tuple.

`@domain(x="positive")` restricts an argument's values (see `DOMAINS` in test_catalogue.py).
Names starting with `_` are helpers that other functions call; they are not tested alone.
Known compiler bugs are marked in place with `@known_bug(...)`, which test_catalogue.py turns into
`pytest.mark.xfail(reason=..., strict=True)` on exactly the failing cases.
"""
import builtins
import math
from typing import Callable, NamedTuple

import numpy as np
import scipy.linalg
import scipy.signal
import scipy.special
import scipy.stats


def domain(**kinds: str) -> Callable[[Callable], Callable]:
    """Attach input domains to a catalogue function: `@domain(x="positive", A="spd")`."""
    def attach(func: Callable) -> Callable:
        func.domains = dict(getattr(func, "domains", {}), **kinds)
        return func

    return attach


def known_bug(reason: str, *, dtype: str | None = None,
              args: tuple[str, ...] | None = None) -> Callable[[Callable], Callable]:
    """Mark a catalogue function's cases `pytest.mark.xfail(reason=reason, strict=True)`.

    `dtype` ("float64" / "float32") and `args` (the cases that differentiate one of these arguments)
    narrow the mark to the cases that actually fail.
    """
    def attach(func: Callable) -> Callable:
        func.known_bugs = [*getattr(func, "known_bugs", []), (reason, dtype, args)]
        return func

    return attach


# ---- operators -------------------------------------------------------------------------------

def add_scalars(a, b):
    return a + b


def add_vector_broadcast_matrix(W, x):
    return np.sum((W + x) * W)


def sub_scalar_minus_vector(a, x):
    return np.sum((a - x) ** 2)


def sub_vector_minus_column(W, u):
    return np.sum(np.sin(W - u[:, None]))


def mul_scalars(a, b):
    return a * b * a


def mul_matrix_by_row(W, x):
    return np.sum(np.cos(W * x))


def mul_column_by_matrix(u, W):
    return np.sum(np.tanh(u[:, None] * W))


@domain(y="positive")
def div_vectors(x, y):
    return np.sum(x / y)


@domain(x="positive")
def div_scalar_by_vector(a, x):
    return np.sum(a / x)


@domain(b="positive")
def div_scalars(a, b):
    return a / b


def pow_constant(x):
    return np.sum(x ** 3)


def pow_float_constant(a):
    return (a * a) ** 1.25


@domain(x="positive")
def pow_vector_exponent(x, y):
    return np.sum(x ** y)


@domain(a="positive")
def pow_scalar_base(a, x):
    return np.sum(a ** x)


def pow_int_argument(x, n):
    return np.sum(x ** n)


@domain(a="positive")
def pow_scalars(a, b):
    return a ** b


def matmul_matrix_vector(W, x):
    return np.sum(np.tanh(W @ x))


def matmul_vector_matrix(u, W):
    return np.sum((u @ W) ** 2)


def matmul_matrices(W, A):
    return np.sum(np.sin(W @ A))


def matmul_vectors(x, y):
    return x @ y


def matmul_batched(T, W):
    return np.sum(np.tanh(T @ W))


def matmul_vector_batched(x, T):
    return np.sum(np.sin(x @ T))


def matmul_batched_vector(T, u):
    return np.sum((T @ u) ** 2)


@domain(y="positive")
def floordiv_is_piecewise_constant(x, y):
    return np.sum((x // y) * x + y)


@domain(y="positive")
def mod_vectors(x, y):
    return np.sum((x % y) * x)


@domain(b="positive")
def mod_scalars(a, b):
    return a % b


def usub_vector(x):
    return np.sum(-x * x)


def uadd_scalar(a):
    return +a * a


def unary_chain(a):
    return -(-a) * +(-a)


# ---- assignment ------------------------------------------------------------------------------

def overwrite_name(x):
    h = x * 2.0
    h = np.sin(h)
    h = h * x
    return np.sum(h)


def overwrite_argument(x, y):
    x = x * y
    x = x + y
    return np.sum(x * x)


def reuse_fan_out(a):
    b = a * a
    return b * a + b + a


def tuple_unpacking(x, y):
    p, q = x * 2.0, y + 1.0
    return np.sum(p * q)


def swap_by_unpacking(x, y):
    x, y = y, x * y
    return np.sum(x * np.exp(y))


def nested_unpacking(x, y, a):
    (p, q), r = (x, y * a), a
    return np.sum(p * q) * r


def augmented_assignment(x, y):
    t = x * 1.0
    t += y
    t *= x
    t -= y
    t /= 2.0
    return np.sum(t)


@domain(x="positive")
def augmented_power_and_matmul(x, A):
    t = x * 1.0
    t **= 2.0
    t @= A
    return np.sum(t)


def augmented_on_argument(a, b):
    a += b
    a *= a
    return a


def chained_assignment(x):
    p = q = x * 3.0
    return np.sum(p * q)


def return_overwritten_argument(a):
    a = a * a
    return a


def overwrite_argument_changes_shape(x):
    x = np.sum(x * 2.0)
    return x * 3.0


def negative_exponents(a, x):
    return (a * a + 1.0) ** -1 + np.sum((x * x + 1.0) ** -2.0)


def constant_base_power(x):
    return np.sum(2.0 ** x) + np.sum(np.e ** (x * 0.5))


def list_literal_then_index(x, y):
    h = [x, y * 2.0]
    return np.sum(h[0] * h[1])


def dict_literal_then_index(x, a):
    d = {"p": x * a, "q": a}
    return np.sum(d["p"]) * d["q"]


_WEIGHTS = np.array([0.5, -1.0, 2.0])


def module_constant(x):
    return np.sum(_WEIGHTS * x ** 2)


def unused_branch_of_computation(x, y):
    unused = np.exp(y)
    return np.sum(x * 2.0)


def constant_output_is_zero_gradient(x):
    return 3.0 + 0.0 * np.sum(np.zeros_like(x))


# ---- subscripts ------------------------------------------------------------------------------

def subscript_int(x):
    return x[0] * x[2]


def subscript_negative_int(x):
    return x[-1] * x[0] + x[-3]


def subscript_slices(x):
    return np.sum(x[1:] * x[:-1])


def subscript_step_slice(u):
    return np.sum(u[::2] * u[1::2]) + np.sum(u[::-1] * u)


def subscript_multi_dim(W):
    return W[1, 2] * np.sum(W[0, :]) + np.sum(W[:, 1] ** 2)


def subscript_row_block(W):
    return np.sum(W[1:3, :2] ** 2)


def subscript_newaxis(x):
    return np.sum(np.sin(x[:, None] * x[None, :]))


def subscript_ellipsis(T):
    return np.sum(T[..., 0] * T[..., -1]) + np.sum(T[0, ...] ** 2)


def subscript_int_array(x, idx):
    return np.sum(x[idx] ** 2)


def subscript_int_array_rows(W, idx):
    return np.sum(np.sin(W[idx]))


def subscript_bool_mask(x, mask):
    return np.sum(x[mask] ** 3)


def subscript_computed_mask(x):
    return np.sum(x[x > 0.0] ** 2)


def subscript_pairs_of_int_arrays(A):
    return np.sum(A[np.array([0, 1, 1]), np.array([2, 0, 0])] ** 2)


def subscript_list_index(x):
    return np.sum(x[[0, 0, 2]] * np.arange(3.0))


def subscript_int_array_and_slice(W, idx):
    return np.sum(W[idx, 1:] ** 2) + np.sum(W[1:, idx] ** 3)


def subscript_int_array_between_slices(T, idx):
    return np.sum(T[0, :, idx] * np.arange(9.0).reshape(3, 3)) + np.sum(T[:, idx, 1:] ** 2)


def subscript_row_mask_of_matrix(W):
    return np.sum(W[W[:, 0] > 0.0] ** 2) + np.sum(W[np.array([True, False, True, True])] * 2.0)


def subscript_reversed_block(W):
    return np.sum(W[::-1, 1:] * np.arange(8.0).reshape(4, 2))


def subscript_scalar_of_product(W, x):
    return (W @ x)[1] ** 2


# ---- containers ------------------------------------------------------------------------------

def dict_affine(params, x):
    return np.sum(np.tanh(params["W"] @ x + params["b"]))


def dict_one_key_unused(params):
    return np.sum(params["b"] ** 2)


def dict_get_method(params):
    return np.sum(params.get("W") ** 2) + np.sum(params.get("b"))


def dict_get_default(params):
    return params.get("scale", 2.0) * np.sum(params.get("b", 0.0) ** 2)


def list_of_layers(layers, x):
    h = np.tanh(layers[0]["W"] @ x + layers[0]["b"])
    return np.sum(layers[1]["W"] @ h + layers[1]["b"])


def for_over_list_of_layers(layers, x):
    h = x
    for layer in layers:
        h = np.tanh(layer["W"] @ h[: layer["W"].shape[1]] + layer["b"])
    return np.sum(h)


def list_negative_index(layers):
    return np.sum(layers[-1]["b"] * layers[0]["b"][:2])


def tuple_argument(pair):
    return np.sum(pair[0] * pair[1])


def dict_values_sum(params):
    return sum(np.sum(v ** 2) for v in params.values())


def dict_items_loop(params):
    s = 0.0
    for name, value in params.items():
        s = s + np.sum(np.sin(value)) * (2.0 if name == "W" else 1.0)
    return s


def dict_unpacked_into_defaults(params):
    merged = {"scale": 2.0, **params}
    return merged["scale"] * np.sum(merged["b"] ** 2)


def tuple_concatenation(x, y):
    return np.sum(np.hstack((x,) + (y,)) * np.arange(6.0))


def list_concatenation_then_read(x, a):
    parts = [x, x * a] + [np.sin(x)]
    return np.sum(parts[0] * parts[2]) + np.sum(parts[1])


def list_repetition(x, y):
    return np.sum(np.concatenate([x, y] * 2) * np.arange(12.0))


def list_and_tuple_of_sequences(layers, pair):
    joined = list(layers) + list(pair)
    return np.sum(joined[0]["W"]) * joined[3] + np.sum(tuple(joined)[-2] ** 2)


def nested_tree(tree):
    enc0, enc1 = tree["enc"][0], tree["enc"][1]
    W, inner = tree["dec"]
    return np.sum(W @ (enc0 * enc1) + inner["b"]) * inner["s"]


def container_element_reused(params, x):
    W = params["W"]
    return np.sum(W @ x) + np.sum(W ** 2) + np.sum(params["W"][0])


# ---- attributes and array methods ------------------------------------------------------------

def attribute_T(W, u):
    return np.sum(W.T @ u)


def attribute_T_tensor(T):
    return np.sum(T.T[0] * T[:, :, 0].T)


def attribute_shape(x):
    return x.sum() / x.shape[0] + np.sum(x ** 2) / len(x)


def method_reshape_args(W):
    return np.sum(np.sin(W.reshape(3, 4)) * np.arange(12.0).reshape(3, 4))


def method_reshape_tuple(W):
    return np.sum(W.reshape((2, 6))[1] ** 2) + np.sum(W.reshape(-1)[::5])


def method_flatten(W):
    return np.sum(W.flatten() * np.arange(12.0))


def method_ravel(W):
    return np.sum(W.ravel()[2:5] ** 2)


def method_reshape_column(x):
    return np.sum(x.reshape(-1, 1) * x.reshape(1, -1))


def method_squeeze(x):
    return np.sum(x[None, :, None].squeeze() ** 3)


def method_transpose_args(T):
    return np.sum(T.transpose(2, 0, 1)[1] ** 2)


def method_transpose_negative_axes(T):
    return np.sum(T.transpose(-1, 0, 1)[0] * np.arange(6.0).reshape(2, 3))


def method_transpose_tuple(T):
    return np.sum(T.transpose((1, 2, 0))[0] * np.arange(8.0).reshape(4, 2))


def method_transpose_none(W):
    return np.sum(W.transpose()[0] * W[:, 1])


def method_copy(x):
    y = x.copy()
    return np.sum(y * x)


def method_astype(x):
    return np.sum(x.astype(np.float64) ** 2)


def method_item(W):
    return W.item(5) * W.item((1, 2)) + W.item(0, 1)


def method_sum_axis_keepdims(W):
    return np.sum(W.sum(axis=0) ** 2) + np.sum(W / W.sum(axis=1, keepdims=True) ** 2)


def method_mean(T):
    return np.sum(T.mean(axis=(0, 2)) ** 2) + T.mean()


def method_prod(W):
    return np.sum(W.prod(axis=1)) + W[:2].prod()


def method_max_min(W):
    return np.sum(W.max(axis=0)) - np.sum(W.min(axis=1, keepdims=True) ** 2) + W.max()


def method_var_std(W):
    return np.sum(W.var(axis=0)) + np.sum(W.std(axis=1, ddof=1))


def method_cumsum(x):
    return np.sum(x.cumsum() ** 2)


def method_positional_axis(W):
    return np.sum(W.sum(0) ** 2) + np.sum(W.max(1)) + np.sum(W.mean(-1, keepdims=True) * W) + W.std(ddof=1)


def method_item_single(x):
    return x[1:2].item() * x[0]


def method_dot(x, y):
    return x.dot(y) * x.dot(x)


def method_clip(x):
    return np.sum(x.clip(-0.5, 0.5) * x)


def method_swapaxes_trace(T, A):
    return np.sum(T.swapaxes(0, 2) ** 2) + A.trace()


def method_take_repeat(x):
    return np.sum(x.take([0, 2, 2]) ** 2) + np.sum(x.repeat(2) * np.arange(6.0))


# ---- NumPy, one argument ---------------------------------------------------------------------

def np_negative(x):
    return np.sum(np.negative(x) * x)


def np_positive(a):
    return np.positive(a) * a


def np_exp(x):
    return np.sum(np.exp(x))


def np_exp_scalar(a):
    return np.exp(a) * a


def np_exp2(x):
    return np.sum(np.exp2(x))


def np_expm1(x):
    return np.sum(np.expm1(x) * x)


@domain(x="positive")
def np_log(x):
    return np.sum(np.log(x) * x)


@domain(a="positive")
def np_log_scalar(a):
    return np.log(a)


@domain(x="positive")
def np_log2(x):
    return np.sum(np.log2(x))


@domain(x="positive")
def np_log10(x):
    return np.sum(np.log10(x))


@domain(x="positive")
def np_log1p(x):
    return np.sum(np.log1p(x))


@domain(x="positive")
def np_sqrt(x):
    return np.sum(np.sqrt(x))


@domain(x="nonzero")
def np_cbrt(x):
    return np.sum(np.cbrt(x))


def np_square(x):
    return np.sum(np.square(x) * x)


@domain(x="nonzero")
def np_reciprocal(x):
    return np.sum(np.reciprocal(x))


@domain(x="nonzero")
def np_absolute(x):
    return np.sum(np.absolute(x) * x)


@domain(x="nonzero")
def np_fabs(x):
    return np.sum(np.fabs(x) ** 3)


def np_sin(x):
    return np.sum(np.sin(x))


def np_cos(x):
    return np.sum(np.cos(x))


@domain(x="unit")
def np_tan(x):
    return np.sum(np.tan(x))


@domain(x="unit")
def np_arcsin(x):
    return np.sum(np.arcsin(x))


@domain(x="unit")
def np_arccos(x):
    return np.sum(np.arccos(x) * x)


def np_arctan(x):
    return np.sum(np.arctan(x))


def np_sinh(x):
    return np.sum(np.sinh(x))


def np_cosh(x):
    return np.sum(np.cosh(x))


def np_tanh(x):
    return np.sum(np.tanh(x))


def np_arcsinh(x):
    return np.sum(np.arcsinh(x))


@domain(x="above1")
def np_arccosh(x):
    return np.sum(np.arccosh(x))


@domain(x="unit")
def np_arctanh(x):
    return np.sum(np.arctanh(x))


def np_sinc(x):
    return np.sum(np.sinc(x))


# ---- NumPy, two arguments (broadcasting against each operand) --------------------------------

def np_add_broadcast(W, x):
    return np.sum(np.add(W, x) ** 2) + np.sum(np.add(x[:, None], W.T) ** 3)


def np_subtract_broadcast(u, W):
    return np.sum(np.subtract(u[:, None], W) ** 2) + np.sum(np.subtract(W, 1.0) ** 2)


def np_multiply_broadcast(a, W, x):
    return np.sum(np.multiply(a, W) * np.multiply(x, W))


@domain(y="positive")
def np_divide_broadcast(W, y):
    return np.sum(np.divide(W, y)) + np.sum(np.divide(1.0, y))


@domain(x="positive")
def np_true_divide(x, a):
    return np.sum(np.true_divide(a, x))


@domain(x="positive")
def np_power_broadcast(x, W):
    return np.sum(np.power(x, W))


@domain(a="positive")
def np_power_scalar_base(a, x):
    return np.sum(np.power(a, x)) + np.sum(np.power(x, 2))


def np_arctan2_broadcast(x, W):
    return np.sum(np.arctan2(x, W) * W)


def np_hypot_broadcast(x, W):
    return np.sum(np.hypot(W, x))


def np_maximum_broadcast(W, x):
    return np.sum(np.maximum(W, x) ** 2)


def np_maximum_with_constant(x):
    return np.sum(np.maximum(x, 0.0) * x)


def np_fmax(x, y):
    return np.sum(np.fmax(x, y) ** 2)


def np_minimum_broadcast(x, W):
    return np.sum(np.minimum(x, W) ** 2)


def np_fmin(x, y):
    return np.sum(np.fmin(x, y) ** 2)


def np_logaddexp_broadcast(W, x):
    return np.sum(np.logaddexp(W, x))


def np_logaddexp2(x, y):
    return np.sum(np.logaddexp2(x, y))


def np_where_arrays(x, y):
    return np.sum(np.where(x > y, x * y, y ** 2))


def np_where_broadcast_scalar(x, a):
    return np.sum(np.where(x > 0.0, a, x) ** 2)


def np_clip_constant_bounds(x):
    return np.sum(np.clip(x, -0.5, 0.5) ** 2)


def np_clip_keyword_bounds(x):
    return np.sum(np.clip(x, a_min=-0.3, a_max=None) * x)


def np_clip_bounds_broadcast_array(x, W):
    return np.sum(np.clip(x, W - 3.0, W + 3.0) ** 2)


def np_clip_positional_none(x):
    return np.sum(np.clip(x, None, 0.2) * x)


def np_where_mask_constant(x, mask):
    return np.sum(np.where(mask, x, 0.0) ** 2)


def np_clip_array_bounds(x, y, a):
    return np.sum(np.clip(x, y, a + 10.0) * x) + np.sum(np.clip(x, -10.0, y) ** 2)


# ---- reductions ------------------------------------------------------------------------------

def np_sum_axis_keepdims(T):
    return np.sum(np.sum(T, axis=1) ** 2) + np.sum(np.sum(T, axis=(0, 2), keepdims=True) * T)


def np_sum_negative_axis(T):
    return np.sum(np.sum(T, axis=-1) ** 2)


def np_mean_axis(W):
    return np.sum(np.mean(W, axis=0) ** 2) + np.mean(W) * np.sum(np.mean(W, 1, keepdims=True) * W)


def np_prod_axis(W):
    return np.sum(np.prod(W, axis=0)) + np.prod(W[0])


def np_prod_two_zeros_axis(W):
    Z = W * np.array([0.0, 1.0, 0.0]) + np.array([0.0, 0.0, 0.0])
    return np.sum(np.prod(Z, axis=1)) + np.sum(np.prod(W * np.array([0.0, 1.0, 1.0]), axis=0, keepdims=True) ** 2)


def np_max_axis_tuple(T):
    return np.sum(np.max(T, axis=(0, 2)) ** 2) + np.sum(np.var(T, axis=(1, 2), keepdims=True) * T)


def np_prod_with_zero(x):
    return np.prod(x * np.array([1.0, 0.0, 1.0]) + np.array([0.0, 0.0, 1.0]))


def np_max_axis(W):
    return np.sum(np.max(W, axis=1) ** 2) + np.max(W)


def np_amax_keepdims(W):
    return np.sum(W - np.amax(W, axis=0, keepdims=True)) + np.sum(W * np.amax(W, axis=0, keepdims=True))


def np_min_axis(T):
    return np.sum(np.min(T, axis=(0, 1)) ** 2)


def np_amin(x):
    return np.amin(x) * np.sum(x)


def np_var_ddof(W):
    return np.sum(np.var(W, axis=0, ddof=1)) + np.var(W)


def np_std_keepdims(W):
    return np.sum(np.std(W, axis=1, keepdims=True) * W) + np.std(W)


def np_cumsum_axis(W):
    return np.sum(np.cumsum(W, axis=0) ** 2) + np.sum(np.cumsum(W) * np.arange(12.0))


def np_trace_axes(T):
    return np.sum(np.trace(T, axis1=1, axis2=2) ** 2) + np.sum(np.trace(T, 0, 0, 2) ** 3)


def np_cumsum_last_axis(T):
    return np.sum(np.cumsum(T, axis=-1) ** 2)


def np_trace_offset(A, W):
    return np.trace(A) * np.trace(A, offset=1) + np.trace(W, -1)


# ---- products --------------------------------------------------------------------------------

def np_dot_vectors(x, y):
    return np.dot(x, y) ** 2


def np_dot_matrix_vector(W, x):
    return np.sum(np.tanh(np.dot(W, x)))


def np_dot_matrices(W, A):
    return np.sum(np.dot(W, A) ** 2)


def np_dot_scalar(a, x):
    return np.sum(np.dot(a, x) ** 2)


def np_dot_tensor(T, W):
    return np.sum(np.dot(T, W) ** 2)


def np_matmul(A, B):
    return np.sum(np.sin(np.matmul(A, B)))


def np_outer(x, u):
    return np.sum(np.sin(np.outer(x, u)))


def np_vdot(W, V):
    return np.vdot(W, V) ** 2


def np_einsum_matmul(W, A):
    return np.sum(np.sin(np.einsum("ij,jk->ik", W, A)))


def np_einsum_three_operands(u, W, x):
    return np.einsum("i,ij,j", u, W, x) ** 2


def np_einsum_same_operand_twice(W):
    return np.einsum("ij,ij->", W, W)


def np_dot_vector_tensor(x, T):
    return np.sum(np.sin(np.dot(x, T)))


def np_einsum_reduce(T):
    return np.sum(np.einsum("ijk->ik", T) ** 2)


# ---- shapes ----------------------------------------------------------------------------------

def np_reshape(W):
    return np.sum(np.reshape(W, (3, 4))[0] ** 2) + np.sum(np.reshape(W, -1) * np.arange(12.0))


def np_ravel(W):
    return np.sum(np.ravel(W)[::3] ** 2)


def np_squeeze_axis(x):
    return np.sum(np.squeeze(x[None, :, None], axis=0) ** 2)


def np_squeeze_all(x):
    return np.sum(np.squeeze(x[None, :, None]) * np.arange(3.0))


def np_expand_dims_tuple(x):
    return np.sum(np.expand_dims(x, (0, 2)) ** 2)


def np_expand_dims(x, W):
    return np.sum(np.expand_dims(x, 0) * W) + np.sum(np.expand_dims(x, axis=-1) ** 2)


def np_atleast(a, x):
    return np.sum(np.atleast_1d(a) * x) + np.sum(np.atleast_2d(x) ** 2) + np.sum(np.atleast_3d(x) ** 3)


def np_transpose_axes(T):
    return np.sum(np.transpose(T, (1, 2, 0))[0] * np.arange(8.0).reshape(4, 2))


def np_transpose_negative_axes(T):
    return np.sum(np.transpose(T, (-1, 0, 1))[0] * np.arange(6.0).reshape(2, 3))


def np_transpose_default(W):
    return np.sum(np.transpose(W) @ np.arange(4.0) ** 2 * W[0])


def np_swapaxes(T):
    return np.sum(np.swapaxes(T, 0, 2)[1] * np.arange(6.0).reshape(3, 2))


def np_moveaxis(T):
    return np.sum(np.moveaxis(T, 0, -1)[1] * np.arange(8.0).reshape(4, 2))


def np_broadcast_to(x):
    return np.sum(np.broadcast_to(x, (4, 3)) * np.arange(12.0).reshape(4, 3))


def np_concatenate_axis(W, A):
    return np.sum(np.sin(np.concatenate([W, A], axis=0)))


def np_concatenate_axis1(A, W):
    return np.sum(np.concatenate((A.T, W.T), axis=1) ** 2 * np.arange(7.0))


def np_stack_axis(x, y):
    return np.sum(np.stack([x, y * 2.0, x], axis=1) * np.arange(9.0).reshape(3, 3))


def np_hstack_matrices(W, V):
    return np.sum(np.hstack((W, V)) ** 2 * np.arange(6.0))


def np_concatenate_flat(W, x):
    return np.sum(np.concatenate([W, x], axis=None) ** 2 * np.arange(15.0))


def np_concatenate_same_array_twice(x):
    return np.sum(np.concatenate([x, x * 2.0, x]) ** 2 * np.arange(9.0))


def np_stack_last_axis(x, y):
    return np.sum(np.stack((x, y), axis=-1) * np.arange(6.0).reshape(3, 2))


def np_hstack(x, y, a):
    return np.sum(np.hstack([x, y, np.atleast_1d(a)]) ** 2 * np.arange(7.0))


def np_vstack(x, y, W):
    return np.sum(np.vstack([x, W, y]) ** 2 * np.arange(3.0))


def np_tile(x):
    return np.sum(np.tile(x, (2, 2)) * np.arange(12.0).reshape(2, 6))


def np_tile_int_reps(x):
    return np.sum(np.tile(x, 3) * np.arange(9.0))


def np_repeat_array_repeats(x):
    return np.sum(np.repeat(x, [1, 2, 3]) ** 2 * np.arange(6.0))


def np_repeat_axis(W):
    return np.sum(np.repeat(W, 2, axis=1) * np.arange(24.0).reshape(4, 6))


def np_take_scalar_index(x):
    return np.take(x, 1) ** 2 + np.take(x, -1)


def np_take_axis(W, idx):
    return np.sum(np.take(W, idx, axis=1) ** 2) + np.sum(np.take(W, [5, 5, 0]))


def np_diag_vector_to_matrix(x, A):
    return np.sum(np.diag(x) @ A) + np.sum(np.diag(x, k=1) ** 2)


def np_diag_matrix_to_vector(A, W):
    return np.sum(np.diag(A) ** 2) + np.sum(np.diag(W, -1) ** 3) + np.sum(np.diag(W, 1))


def np_flip(W):
    return np.sum(np.flip(W, axis=0) * np.arange(12.0).reshape(4, 3)) + np.sum(np.flip(W)[0] ** 2)


def np_copy_array_asarray(x):
    return np.sum(np.copy(x) * np.array(x) * np.asarray(x) * np.ascontiguousarray(x))


def np_array_of_scalars(a, b):
    return np.sum(np.array([a, b, a * b]) ** 2)


# ---- linear algebra --------------------------------------------------------------------------

def norm_default(x):
    return np.linalg.norm(x)


@domain(x="nonzero")
def norm_ord_1(x):
    return np.linalg.norm(x, ord=1)


def norm_ord_inf(x):
    return np.linalg.norm(x, ord=np.inf) + np.linalg.norm(x, -np.inf)


@domain(x="nonzero")
def norm_ord_3(x):
    return np.linalg.norm(x, ord=3)


def norm_inf_axis(W):
    return np.sum(np.linalg.norm(W, ord=np.inf, axis=1)) + np.sum(np.linalg.norm(W, -np.inf, axis=0, keepdims=True))


@domain(W="nonzero")
def norm_ord_1_axis(W):
    return np.sum(np.linalg.norm(W, 1, axis=0) ** 2)


def norm_axis_keepdims(W):
    return np.sum(np.linalg.norm(W, axis=1) ** 2) + np.sum(np.linalg.norm(W, axis=0, keepdims=True) * W)


def norm_frobenius(W):
    return np.linalg.norm(W) + np.linalg.norm(W, "fro")


def norm_nuclear_spectral(W):
    return np.linalg.norm(W, "nuc") + np.linalg.norm(W, ord=2) + np.linalg.norm(W, -2)


def norm_spectral_axes(T):
    return np.sum(np.linalg.norm(T, ord=2, axis=(2, 1))) + np.sum(np.linalg.norm(T, "nuc", axis=(0, 1)))


@domain(A="spd")
def det(A):
    return np.linalg.det(A)


@domain(A="spd")
def slogdet(A):
    sign, logdet = np.linalg.slogdet(A)
    return sign * logdet


@domain(A="spd")
def inv(A, x):
    return x @ np.linalg.inv(A) @ x


@domain(A="spd")
def solve_vector(A, x):
    return np.sum(np.linalg.solve(A, x) ** 2)


@domain(A="spd")
def solve_matrix(A, B):
    return np.sum(np.sin(np.linalg.solve(A, B)))


# ---- math and builtins on Python floats ------------------------------------------------------

def math_exp_expm1(a):
    return math.exp(a) + math.expm1(a) * a


@domain(a="positive", b="above1")
def math_log_base(a, b):
    return math.log(a) + math.log(a, b)


@domain(a="positive")
def math_log2_log10_log1p(a):
    return math.log2(a) * math.log10(a) + math.log1p(a)


@domain(a="positive")
def math_sqrt(a):
    return math.sqrt(a) * a


@domain(a="positive")
def math_pow(a, b):
    return math.pow(a, b)


def math_trig(a):
    return math.sin(a) * math.cos(a) + math.tan(a)


@domain(a="unit")
def math_inverse_trig(a):
    return math.asin(a) * math.acos(a) + math.atan(a)


def math_atan2(a, b):
    return math.atan2(a, b)


def math_hyperbolic(a):
    return math.sinh(a) + math.cosh(a) * math.tanh(a)


def math_hypot(a, b, c):
    return math.hypot(a, b, c)


@domain(a="nonzero")
def math_fabs(a):
    return math.fabs(a) * a


def math_erf_erfc(a):
    return math.erf(a) * math.erfc(a)


def builtin_float(a):
    return float(a) * a


@domain(a="nonzero")
def builtin_abs_scalar(a):
    return abs(a) * a


@domain(x="nonzero")
def builtin_abs_array(x):
    return np.sum(abs(x) * x)


def builtin_sum_of_list(a, b, x):
    return sum([a, b * a, np.sum(x)])


def builtin_sum_with_start(x, a):
    return np.sum(sum(x, a) ** 2)


def builtin_sum_over_rows(W):
    return np.sum(sum(W) ** 2)


def builtin_float_of_array_sum(x):
    return float(np.sum(x ** 2)) * 2.0


def builtin_max_min(a, b):
    return max(a, b) * min(a, b)


@domain(a="positive")
def builtin_pow(a):
    return pow(a, 3) + pow(a, 0.5)


@domain(a="positive")
def builtin_pow_exponent(a, b):
    return builtins.pow(a, b)


def np_float64_cast(a):
    return np.float64(a) * 2.0


def np_float32_cast(a):
    # a float32 cast rounds, which finite differences would see; the cast terms cancel exactly
    return float(np.float32(a) * 2.0 - np.float32(a) * 2.0) + a * 3.0


@domain(a="nonzero", b="nonzero")
def math_copysign(a, b):
    return math.copysign(a, b) * 2.0


@domain(a="positive", b="positive")
def builtin_divmod_remainder(a, b):
    q, r = divmod(a, b)
    return r * a


class Affine(NamedTuple):
    """The layout of `record` arguments: W (4x3) and b (4)."""

    W: np.ndarray
    b: np.ndarray


def builtin_getattr_field(record, x):
    return np.sum(np.tanh(getattr(record, "W") @ x + record.b))


# ---- helpers calling helpers -----------------------------------------------------------------

def _affine(W, x, b=0.0):
    return W @ x + b


def _softmax(z, axis=-1):
    e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def _logsumexp(z, axis=None, keepdims=False):
    m = np.max(z, axis=axis, keepdims=True)
    s = np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True)) + m
    return s if keepdims else np.squeeze(s, axis=axis)


def _layer(params, h):
    return np.tanh(_affine(params["W"], h, b=params["b"]))


def _squared_norm(v):
    return np.sum(v * v)


def _scaled_squared_norm(v, scale=1.0):
    return scale * _squared_norm(v)


def helper_with_default(W, x):
    return np.sum(_affine(W, x) ** 2)


def helper_with_keyword(W, x, u):
    return np.sum(np.sin(_affine(W, x, b=u)))


def helper_calls_helper(x, a):
    return _scaled_squared_norm(x, scale=a) + _scaled_squared_norm(x * a)


def helper_called_twice(W, x, y):
    return np.sum(_affine(W, x) * _affine(W, y))


def _pair(x):
    return x * 2.0, np.sin(x)


def _scale_params(params, a):
    return {"W": params["W"] * a, "b": params["b"]}


def helper_returns_tuple(x):
    p, q = _pair(x)
    return np.sum(p * q) + np.sum(_pair(x)[1])


def helper_returns_dict(params, a, x):
    scaled = _scale_params(params, a)
    return np.sum(scaled["W"] @ x + scaled["b"])


def helper_on_dict(params, x):
    return np.sum(_layer(params, x) ** 2)


def logsumexp(x):
    return _logsumexp(x)


def logsumexp_rows(X):
    return np.sum(_logsumexp(X, axis=1))


def softmax_keepdims_logsumexp(X):
    return np.sum(_softmax(X) * _logsumexp(X, axis=1, keepdims=True))


# ---- models ----------------------------------------------------------------------------------

def logistic_regression(params, X, labels):
    z = X @ params["W"].T + params["b"]
    p = 1.0 / (1.0 + np.exp(-z[:, 0]))
    t = labels % 2
    return -np.mean(t * np.log(p) + (1 - t) * np.log(1.0 - p))


def mlp_softmax_cross_entropy(layers, X, labels):
    h = np.tanh(X @ layers[0]["W"].T + layers[0]["b"])
    logits = h @ layers[1]["W"].T + layers[1]["b"]
    logp = logits - _logsumexp(logits, axis=1, keepdims=True)
    return -np.mean(logp[np.arange(X.shape[0]), labels % 2])


def mlp_with_helpers(layers, x):
    h = _layer(layers[0], x)
    out = _affine(layers[1]["W"], h, b=layers[1]["b"])
    return _softmax(out)[0]


def layer_norm(X, x, y):
    mu = np.mean(X, axis=1, keepdims=True)
    sd = np.sqrt(np.var(X, axis=1, keepdims=True) + 1e-5)
    return np.sum(((X - mu) / sd * x + y) ** 2)


def attention(X, A, B):
    scores = (X @ A) @ (X @ B).T / np.sqrt(3.0)
    return np.sum(_softmax(scores, axis=1) @ X)


@domain(b="positive")
def gaussian_log_likelihood(x, a, b):
    r = (x - a) / b
    return -0.5 * np.sum(r ** 2) - x.shape[0] * (np.log(b) + 0.5 * np.log(2.0 * np.pi))


@domain(A="spd")
def gaussian_process_likelihood(A, x):
    K = A @ A.T + np.eye(3)
    alpha = np.linalg.solve(K, x)
    sign, logdet = np.linalg.slogdet(K)
    return -0.5 * x @ alpha - 0.5 * logdet


def huber_like(x, y):
    r = x - y
    return np.sum(np.where(np.abs(r) < 0.5, 0.5 * r ** 2, 0.5 * (np.abs(r) - 0.25)))


def rbf_kernel_sum(X, a):
    d2 = np.sum((X[:, None, :] - X[None, :, :]) ** 2, axis=-1)
    return np.sum(np.exp(-d2 / (2.0 * a * a)))


def saxpy(a, x, y):
    return np.sum(a * x + y)


# ---- remainders and casts ---------------------------------------------------------------------

@domain(y="positive")
def np_remainder(x, y):
    return np.sum(np.remainder(x * 3.0, y + 1.0) ** 2)


@domain(y="positive")
def np_fmod(x, y):
    return np.sum(np.fmod(x * 3.0, y + 1.0) ** 2)


@domain(b="positive")
def math_fmod(a, b):
    return math.fmod(a * 3.0, b + 1.0) ** 2


def np_float16_and_longdouble_casts(a):
    return float(np.longdouble(a) * 2.0) + float(np.float16(1.5)) * a


# ---- SciPy -----------------------------------------------------------------------------------
# (rules/scipy_special.py, scipy_stats.py, scipy_linalg.py; SciPy reads one triangle of an "spd" A)

def scipy_expit_log_expit(x, a):
    return np.sum(scipy.special.expit(a * x) ** 2 + scipy.special.log_expit(x - a))


@domain(x="unit")
def scipy_logit_erfinv(x, a):
    return np.sum(scipy.special.logit(0.5 + 0.5 * x) * a + scipy.special.erfinv(x) ** 2)


@domain(x="positive", a="positive")
def scipy_gamma_family(x, a):
    return np.sum(scipy.special.gammaln(x + a) + scipy.special.digamma(x * a) + scipy.special.gamma(x)) \
        + scipy.special.polygamma(1, a)


@domain(x="positive", y="positive")
def scipy_betaln_xlogy(x, y):
    return np.sum(scipy.special.betaln(x, y) + scipy.special.xlogy(x, y) + scipy.special.xlog1py(y, x))


def scipy_erf_ndtr(x, a):
    return np.sum(scipy.special.erf(a * x) + scipy.special.erfc(x) + scipy.special.ndtr(x - a)
                  + scipy.special.log_ndtr(x * a) + scipy.special.ndtri(scipy.special.ndtr(x)) ** 2)


def scipy_logsumexp(W, a):
    return scipy.special.logsumexp(W * a) + np.sum(scipy.special.logsumexp(W, axis=1) ** 2) \
        + np.sum(scipy.special.logsumexp(W, axis=0, keepdims=True) * W)


@domain(u="positive")
def scipy_logsumexp_weights(W, u, a):
    return np.sum(scipy.special.logsumexp(W * a, axis=1, b=u[:, None]))


def scipy_softmax(W, x):
    return np.sum(scipy.special.softmax(W * x, axis=1) * W) + np.sum(scipy.special.log_softmax(W, axis=0) ** 2) \
        + scipy.special.softmax(x)[0]


@domain(b="positive")
def scipy_norm(x, a, b):
    return np.sum(scipy.stats.norm.logpdf(x, a, b) + scipy.stats.norm.pdf(x, loc=a, scale=b)
                  + scipy.stats.norm.cdf(x, a, b) + scipy.stats.norm.logcdf(x, a, scale=b)
                  + scipy.stats.norm.sf(x, a, b) + scipy.stats.norm.logsf(x, a, b))


@domain(x="positive", a="above1", b="positive")
def scipy_t_gamma(x, a, b):
    return np.sum(scipy.stats.t.logpdf(x, a, 0.3, b) + scipy.stats.gamma.logpdf(x, a, scale=b))


@domain(x="unit", a="above1", b="above1", c="positive")
def scipy_beta(x, a, b, c):
    return np.sum(scipy.stats.beta.logpdf(x, a, b, loc=-1.0 - c, scale=2.0 + 2.0 * c))


@domain(x="positive", b="positive")
def scipy_expon_laplace(x, a, b):
    return np.sum(scipy.stats.expon.logpdf(x, -1.0 - a * a, b) + scipy.stats.laplace.logpdf(x, a, b))


@domain(x="positive")
def scipy_discrete_logpmf(x):
    k = np.array([0, 1, 3])
    return np.sum(scipy.stats.poisson.logpmf(k, x) + scipy.stats.bernoulli.logpmf(np.array([0, 1, 1]), x / 3.0)
                  + scipy.stats.binom.logpmf(k, 5, x / 3.0))


@domain(A="spd", b="positive")
def scipy_multivariate_normal(X, x, A, b):
    return np.sum(scipy.stats.multivariate_normal.logpdf(X, mean=x, cov=A)) \
        + scipy.stats.multivariate_normal.logpdf(x, cov=A) + np.sum(scipy.stats.multivariate_normal.logpdf(X, x, b))


@domain(A="spd")
def scipy_cholesky(A, x):
    U = scipy.linalg.cholesky(A)
    L = scipy.linalg.cholesky(A, lower=True)
    return np.sum(U * L.T * A) + np.sum(scipy.linalg.solve_triangular(L, x, lower=True) ** 2) \
        + np.sum(scipy.linalg.solve_triangular(U, x, trans=1) ** 3)


@domain(A="spd", a="positive")
def scipy_cho_solve(A, x, a):
    factor = scipy.linalg.cho_factor(A * a)
    return x @ scipy.linalg.cho_solve(factor, x)


@domain(A="spd")
def scipy_cho_factor_lower(A, x):
    c, lower = scipy.linalg.cho_factor(A, lower=True)
    return np.sum(scipy.linalg.cho_solve((c, lower), np.outer(x, x)) ** 2) + np.sum(c * c)


def scipy_solve_triangular_unit(A, B):
    return np.sum(scipy.linalg.solve_triangular(A, B, lower=True, unit_diagonal=True, trans="T") ** 2)


@domain(A="spd")
def scipy_solve_inv_det(A, B, x):
    return np.sum(scipy.linalg.solve(A, x) ** 2) + np.sum(scipy.linalg.solve(A, B, assume_a="pos")) \
        + np.sum(scipy.linalg.solve(A, x, transposed=True)) + np.sum(scipy.linalg.inv(A) * B) \
        + np.log(scipy.linalg.det(A))


def scipy_expm(A, a):
    return np.sum(scipy.linalg.expm(A * a) * A)


@domain(A="spd")
def scipy_logm(A):
    return np.sum(scipy.linalg.logm(A) ** 2)


# ---- more NumPy ------------------------------------------------------------------------------
# (rules/numpy_shapes.py, numpy_products.py, numpy_stats.py, numpy_linalg.py; where=, initial=,
# dtype=; matrix norms; the builtin dict). Eigen- and singular vectors enter through squares
# (their signs are arbitrary); "spd" matrices are symmetric, as eigh and cholesky read one triangle.

def np_roll_shift_axis(W):
    return np.sum(np.roll(W, (1, -2), axis=(0, 1)) * np.arange(12.0).reshape(4, 3)) + np.sum(np.roll(W, 5) * W)


def np_pad_modes(W, a):
    return np.sum(np.pad(W, ((1, 0), (2, 1)), mode="edge") ** 2) + np.sum(np.pad(W, 1, constant_values=a) ** 3) \
        + np.sum(np.pad(W, (2, 1), mode="reflect") * np.pad(W, 2, mode="wrap")[1:, :-1])


def np_cumprod_axis(W):
    return np.sum(np.cumprod(W, axis=0) * np.arange(12.0).reshape(4, 3)) + np.sum(np.cumprod(W[0] * 0.5))


def method_cumprod_diagonal(A):
    return np.sum(A.cumprod() ** 2) + np.sum(A.diagonal(1) * 3.0)


def np_sort_axis(W):
    return np.sum(np.sort(W, axis=0) * np.arange(12.0).reshape(4, 3)) + np.sum(np.sort(W, axis=None)[:5])


def np_average_weights(W, y):
    return np.sum(np.average(W, axis=1, weights=y * y + 1.0) ** 2) + np.average(W * W)


def np_kron(A, x):
    return np.sum(np.kron(A, x) ** 2) + np.sum(np.kron(x, A[0]) * 2.0)


def np_triu_tril(A):
    return np.sum(np.triu(A, 1) ** 2 + np.tril(A, -1) * A) + np.sum(np.tril(A) ** 3)


def np_diagonal_offset_axes(T):
    return np.sum(np.diagonal(T, 1, 1, 2) ** 2) + np.sum(np.diagonal(T, -1, 2, 0))


def np_tensordot_axes(T, W):
    return np.sum(np.tensordot(T, W, axes=([1, 2], [1, 0])) ** 2) + np.sum(np.tensordot(W.T, W, 1) ** 2)


def np_convolve_modes(x, u):
    return np.sum(np.convolve(x, u) ** 2) + np.sum(np.convolve(u, x, "same") * u) \
        + np.sum(np.convolve(x, u, "valid") ** 3)


@domain(A="spd")
def np_cholesky(A):
    L = np.linalg.cholesky(A)
    return np.sum(L ** 3) + np.sum(np.log(np.diagonal(L)))


@domain(A="spd")
def np_eigh_eigvalsh(A):
    w, V = np.linalg.eigh(A + A.T)
    return np.sum(w ** 2) + np.sum((V * V) @ np.arange(3.0)) + np.sum(np.linalg.eigvalsh(A) ** 3)


def np_svd(W):
    U, s, Vh = np.linalg.svd(W, full_matrices=False)
    return np.sum((U * U) @ np.arange(3.0)) + np.sum(s ** 3) + np.sum((Vh * Vh) * np.arange(3.0)) \
        + np.sum(np.linalg.svd(W, compute_uv=False))


def np_pinv(W):
    return np.sum(np.linalg.pinv(W) ** 2 * np.arange(12.0).reshape(3, 4))


def np_qr(W):
    Q, R = np.linalg.qr(W)
    return np.sum((Q * Q) @ np.arange(3.0)) + np.sum(R * R * np.arange(3.0)) + np.sum(np.linalg.qr(W.T, mode="r") ** 2)


def np_lstsq(X, y):
    sol, res, rank, s = np.linalg.lstsq(X, np.sin(X @ y) + 1.0, rcond=None)
    return np.sum(sol ** 2) + np.sum(res) + np.sum(s)


def np_median_percentile_quantile(W, a):
    return np.median(W) + np.sum(np.percentile(W, [20.0, 75.0], axis=0) ** 2) \
        + np.sum(np.quantile(W, 0.4 + 0.1 * np.tanh(a), axis=1))


def np_cross(x, y):
    return np.sum(np.cross(x, y) ** 2) + np.sum(np.cross(np.stack([x, y]), x) * y)


def np_diff_orders(u, a):
    return np.sum(np.diff(u) ** 2) + np.sum(np.diff(u, 2) ** 3) + np.sum(np.diff(u, prepend=a, append=u[:2]) ** 2)


def np_interp(x, y):
    return np.sum(np.interp(x, np.array([-1.5, -0.2, 0.4, 1.7]), np.concatenate([y, y[:1]]) ** 2) ** 2) \
        + np.sum(np.interp(x, np.sort(y), np.exp(y)))


def np_nan_to_num(x, a, mask):
    return np.sum(np.nan_to_num(np.where(mask, x, np.inf), posinf=a) ** 2)


def np_einsum_implicit(W, A):
    return np.sum(np.einsum("ij,jk", W, A) ** 2)


def np_sum_where_initial(W, a):
    return np.sum(W ** 2, where=W > 0) + np.sum(W, axis=0, initial=a)[1] \
        + np.sum(np.mean(W * W, axis=1, where=np.arange(12).reshape(4, 3) % 2 == 0, keepdims=True))


def np_mean_dtype(W):
    return np.mean(W * W, dtype=np.float64) + np.sum(np.mean(W, axis=0, dtype=np.float64) ** 2)


def norm_matrix_orders(W):
    return np.linalg.norm(W, 1) + np.linalg.norm(W, -np.inf) \
        + np.sum(np.linalg.norm(W.reshape(2, 2, 3), np.inf, axis=(1, 2)) ** 2) + np.linalg.norm(W, -1)


def dict_constructor(x, W):
    p = dict(a=x, w=W)
    q = dict([("s", x * 2.0), ("w", W)], t=x)
    r = dict(p, b=x)
    return np.sum(p["a"] ** 2) + np.sum(p["w"] * q["w"]) + np.sum(q["s"] * q["t"]) + np.sum(r["w"] * r["b"])


# ---- functions real losses call (tests/realistic) that srcgrad refused -------------------------
# (tests/test_rules_gaps.py has their edge cases)

def np_take_along_axis(W):
    rows = np.take_along_axis(W, np.array([[2], [0], [2], [1]]), axis=-1)
    cols = np.take_along_axis(W, np.array([[3, 0, 3]]), axis=0)  # one row of indices for every column
    return np.sum(rows ** 2) + np.sum(cols * np.array([1.0, 2.0, 3.0])) \
        + np.sum(np.take_along_axis(W.ravel(), np.array([11, 0, 11]), None) ** 3)


def np_split_sections(W):
    top, bottom = np.split(W, 2)
    left, middle, right = np.split(W, [1, 2], axis=-1)  # middle unused: its piece gets no adjoint
    return np.sum(top * bottom) + np.sum(left ** 2) + np.sum(np.sin(right))


def np_array_split_hsplit_vsplit_dsplit(W, T):
    parts = np.array_split(W, 3)  # 2, 1 and 1 rows
    a, b = np.hsplit(W, [2])
    c = np.vsplit(W, [1, 3])
    e = np.dsplit(T, 2)
    return np.sum(parts[0] ** 2) + np.sum(parts[2] * 3.0) + np.sum(a * a) + np.sum(b ** 3) + np.sum(c[1] ** 2) \
        + np.sum(e[1] ** 2 * e[0])


def ufunc_outer_arithmetic(x, u, a):
    return np.sum(np.add.outer(x, u) ** 2) + np.sum(np.subtract.outer(u, x) ** 3) \
        + np.sum(np.multiply.outer(x, u) ** 2) + np.sum(np.subtract.outer(a, x) ** 2) \
        + np.sum(np.arctan2.outer(x, u)) + np.sum(np.hypot.outer(x, u.reshape(2, 2))) \
        + np.sum(np.logaddexp.outer(x, u)) + np.sum(np.logaddexp2.outer(u, x) ** 2)


@domain(x="positive", y="positive")
def ufunc_outer_division(x, y):
    return np.sum(np.divide.outer(x, y)) + np.sum(np.power.outer(x, y)) + np.sum(np.mod.outer(x, y) ** 2) \
        + np.sum(np.fmod.outer(y, x) ** 2)


def ufunc_outer_extremes(x, u):
    return np.sum(np.maximum.outer(x, u) ** 2) + np.sum(np.minimum.outer(u, x) * 2.0) \
        + np.sum(np.fmax.outer(x, u) ** 3) + np.sum(np.fmin.outer(u, x) ** 2)


@domain(x="positive", y="positive")
def scipy_special_outer(x, y, u):
    return np.sum(scipy.special.xlogy.outer(u, y)) + np.sum(scipy.special.xlog1py.outer(x, u * u) ** 2) \
        + np.sum(scipy.special.betaln.outer(x, y))


@domain(x="positive", b="positive")
def scipy_halfcauchy_halfnorm_cauchy(x, a, b):
    return np.sum(scipy.stats.halfcauchy.logpdf(x, -a * a, b) + scipy.stats.halfnorm.logpdf(x, loc=-a * a, scale=b)
                  + scipy.stats.cauchy.logpdf(x, a, b))


@domain(x="positive", a="positive", b="positive", c="positive")
def scipy_lognorm_invgamma(x, a, b, c):
    return np.sum(scipy.stats.lognorm.logpdf(x, a, -c, b) + scipy.stats.invgamma.logpdf(x, a + 1.0, loc=-c, scale=b))


def scipy_convolve_correlate(x, u, W, A):
    return np.sum(scipy.signal.convolve(x, u) ** 2) + np.sum(scipy.signal.correlate(u, x, "same") * u) \
        + np.sum(scipy.signal.fftconvolve(W, A, "valid") ** 2) + np.sum(scipy.signal.correlate(W, A[:2], "valid") ** 3)


def scipy_convolve2d_boundaries(W, A, a):
    return np.sum(scipy.signal.convolve2d(W, A, "same", "symm") ** 2) \
        + np.sum(scipy.signal.correlate2d(W, A[:2], "full", fillvalue=a) ** 2) \
        + np.sum(scipy.signal.convolve2d(W, A[1:], "valid", "wrap") * 2.0) \
        + np.sum(scipy.signal.correlate2d(A, W, "same", boundary="wrap") ** 2) \
        + np.sum(scipy.signal.convolve2d(A, W[:2], "same", fillvalue=a) ** 2)
