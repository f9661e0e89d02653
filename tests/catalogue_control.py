"""Control-flow catalogue: plain functions to differentiate, one concern each (Tangent's style).

Argument names say what each argument is (see `DEFAULTS` in test_catalogue_control.py):
`a, b, c` Python floats; `x, y` vectors of 4; `h` a vector of 3; `W, V` 3x3 matrices; `U` a 3x4
matrix; `xs` a 5x4 sequence of inputs; `M` a 4x4 matrix; `L` a list of three vectors of 4;
`pair` a (vector of 4, float) tuple; `n, m` small ints; `mask` a bool vector of 4.

`@cases(dict(a=-1.5), ...)` gives several input sets (to take every side of a data-dependent
branch), each far from branch boundaries so finite differences are valid.
`@known_bug(reason)` marks the function's cases `xfail(strict=True)`.
Names starting with `_` are helpers called by other functions; they are not tested alone.
"""
import math
from typing import Callable

import numpy as np


def cases(*overrides: dict) -> Callable[[Callable], Callable]:
    """Attach input sets: each dict overrides some default arguments."""
    def attach(func: Callable) -> Callable:
        func.cases = list(overrides)
        return func

    return attach


def known_bug(reason: str) -> Callable[[Callable], Callable]:
    """Mark every case of a function `xfail(reason=reason, strict=True)`."""
    def attach(func: Callable) -> Callable:
        func.known_bug = reason
        return func

    return attach


# ---- helpers ----------------------------------------------------------------------------------

def _sq(a):
    return a * a


def _cell(W, h, x):
    return np.tanh(W @ h + x)


def _affine(W, h, scale=1.0, shift=0.0):
    return scale * (W @ h) + shift


def _softplus(x):
    return np.log1p(np.exp(x))


def _layer(W, h):
    return _softplus(_affine(W, h, scale=0.5))


def _clip_step(a):
    if a > 1.0:
        return 1.0 + 0.1 * (a - 1.0)
    elif a < -1.0:
        return -1.0 + 0.1 * (a + 1.0)
    return a


def _power(a, n):
    if n == 0:
        return 1.0
    return a * _power(a, n - 1)


def _fast_power(a, n):
    if n == 0:
        return 1.0
    if n % 2 == 0:
        half = _fast_power(a, n // 2)
        return half * half
    return a * _fast_power(a, n - 1)


def _rsum(L, i):
    if i == len(L):
        return 0.0
    return np.sum(L[i] ** 2) + _rsum(L, i + 1)


def _shrink(a):
    if a < 0.1:
        return a
    return _shrink(0.5 * a) + np.sin(a)


def _newton_sqrt(a):
    y = a
    while abs(y * y - a) > 1e-12:
        y = 0.5 * (y + a / y)
    return y


def _first_above(x, t):
    s = 0.0
    for i in range(x.shape[0]):
        if x[i] > t:
            s = x[i]
            break
    return s


def _even_odd(a, n):
    if n == 0:
        return a
    return _odd_even(np.cos(a), n - 1)


def _odd_even(a, n):
    if n == 0:
        return a
    return _even_odd(a * a, n - 1)


def _accumulate(x, n, decay=0.9):
    s = 0.0
    for i in range(n):
        s = decay * s + np.sum(np.sin(x * i))
    return s


def _pair_update(a, b):
    return a * b, a + np.sin(b)


def _norm_sq(x):
    return np.sum(_sq(x))


def _write_local(x):
    buf = np.zeros(4)
    for i in range(4):
        buf[i] = x[i] * x[i]
    return buf


def _first_index_above(x, t):
    k = 0
    for i in range(4):
        if x[i] > t:
            k = i
            break
    return k


def _rsum_slices(L):
    if len(L) == 0:
        return 0.0
    return np.sum(L[0] * L[0]) + _rsum_slices(L[1:])


def _deep(a, n):
    if n == 0:
        return a
    return _deep(np.sin(a) + 0.1 * a, n - 1)


# ---- if / elif / else -------------------------------------------------------------------------

@cases(dict(a=1.3), dict(a=-0.7))
def if_data_dependent(a):
    if a > 0:
        y = a * a
    else:
        y = np.sin(a)
    return y


@cases(dict(a=2.5), dict(a=0.5), dict(a=-1.5))
def if_elif_else(a):
    if a > 1.0:
        y = a ** 3
    elif a > -1.0:
        y = np.exp(a)
    else:
        y = -a * 2.0
    return y


@cases(dict(n=3), dict(n=0))
def if_static_int(a, n):
    if n > 1:
        y = a * n
    else:
        y = a + 1.0
    return y * a


@cases(dict(x=np.array([0.5, -1.2, 0.8, 1.9])), dict(x=np.array([-0.5, -1.2, -0.8, 0.4])))
def if_on_array_sum(x):
    if np.sum(x) > 0:
        return np.sum(x ** 2)
    return np.sum(np.exp(x))


@cases(dict(a=1.3), dict(a=-0.7))
def if_without_else(a, b):
    y = a * b
    if a > 0:
        y = y * a
    return y


@cases(dict(a=1.3, b=0.4), dict(a=-0.7, b=0.4), dict(a=1.3, b=-0.6), dict(a=-0.7, b=-0.6))
def if_nested(a, b):
    if a > 0:
        if b > 0:
            y = a * b
        else:
            y = a - b
    else:
        if b > 0:
            y = np.sin(a * b)
        else:
            y = np.cos(a) * b
    return y


@cases(dict(a=1.3), dict(a=-0.7))
def if_assigns_two_variables(a, b):
    if a > 0:
        p = a * b
        q = a + b
    else:
        p = b
        q = a * a
    return p * q


@cases(dict(a=1.3), dict(a=-0.7))
def if_variable_only_one_branch_reads(a, b):
    t = np.exp(b)
    if a > 0:
        y = t * a
    else:
        y = a * 2.0
    return y


@cases(dict(x=np.array([0.5, -1.2, 0.8, 1.9])), dict(x=np.array([2.5, 0.2, 0.8, 0.9])))
def if_on_element(x, y):
    if x[0] > x[1] + 2.0:
        z = x * y
    else:
        z = x + y
    return np.sum(z ** 2)


@cases(dict(a=1.3), dict(a=-0.7))
def if_on_shape_then_data(a, x):
    if x.shape[0] == 4:
        if a > 0:
            return a * np.sum(x)
        return np.sum(x) ** 2
    return a


# ---- conditional expressions ------------------------------------------------------------------

@cases(dict(a=1.3), dict(a=-0.7))
def ifexp_scalar(a, b):
    return a * b if a > 0 else b - a


@cases(dict(a=1.3), dict(a=-0.7))
def ifexp_inside_expression(a, b):
    return np.sin(a) + (a * a if a > b else b * b) * 2.0


@cases(dict(a=1.3), dict(a=-0.7))
def ifexp_choose_array(a, x, y):
    z = x if a > 0 else y
    return np.sum(z * a)


@cases(dict(a=2.5), dict(a=0.5), dict(a=-1.5))
def ifexp_nested(a):
    return a * a if a > 1.0 else (np.exp(a) if a > 0 else -a)


@cases(dict(a=0.1), dict(a=0.5))
def ifexp_constant_branches_overwrite_varied(a):
    s = a * 0.5
    s = 1.0 if s < 0.1 else 2.0
    return s + a


def ifexp_in_loop(x):
    s = 0.0
    for i in range(4):
        s = s + (x[i] * x[i] if x[i] > 0 else np.sin(x[i]))
    return s


# ---- and / or / not ---------------------------------------------------------------------------

@cases(dict(a=1.3, b=0.4), dict(a=1.3, b=-0.6), dict(a=-0.7, b=0.4))
def cond_and(a, b):
    if a > 0 and b > 0:
        return a * b
    return a + b


@cases(dict(a=1.3, b=-0.6), dict(a=-0.7, b=0.4), dict(a=-0.7, b=-0.6))
def cond_or(a, b):
    if a > 0 or b > 0:
        return np.sin(a * b)
    return a * a * b


@cases(dict(a=1.3), dict(a=-0.7))
def cond_not(a):
    if not a > 0:
        return -a * a
    return a * 3.0


@cases(dict(a=1.3, b=0.4, c=0.4), dict(a=-0.7, b=-0.6, c=0.4), dict(a=-0.7, b=0.4, c=-0.6))
def cond_mixed(a, b, c):
    if (a > 0 or b > 0) and not c < 0:
        return a * b * c
    return a + b * c


def cond_and_in_while(a):
    i = 0
    y = a
    while i < 10 and y < 5.0:
        y = y * 1.5 + 0.1
        i = i + 1
    return y


# ---- early returns ----------------------------------------------------------------------------

@cases(dict(a=1.3), dict(a=-0.7))
def return_early_in_if(a):
    if a > 0:
        return a * a
    return np.cos(a)


@cases(dict(a=2.5), dict(a=0.5), dict(a=-1.5))
def return_in_every_branch(a, b):
    if a > 1.0:
        return a * b
    elif a > 0:
        return a + b
    else:
        return b * b * a


@cases(dict(a=1.3, b=0.4), dict(a=1.3, b=-0.6), dict(a=-0.7, b=0.4))
def return_in_nested_if(a, b):
    y = a * b
    if a > 0:
        if b > 0:
            return y * y
        y = y + a
    return y * b


@cases(dict(a=1.3), dict(a=-0.7))
def return_after_loop_in_branch(a, x):
    s = 0.0
    if a > 0:
        for i in range(4):
            s = s + x[i] * a
        return s
    return np.sum(x) * a


@cases(dict(a=1.3), dict(a=-0.7))
def return_early_then_overwrite(a):
    y = a * 2.0
    if a < 0:
        return y
    y = y * y
    return y + a


# ---- for over range ---------------------------------------------------------------------------

def range_stop(a):
    y = a
    for i in range(4):
        y = y * a + 0.1
    return y


def range_start_stop(x):
    s = 0.0
    for i in range(1, 4):
        s = s + x[i] * x[i - 1]
    return s


def range_step(x):
    s = 0.0
    for i in range(0, 4, 2):
        s = s + np.sin(x[i]) * x[i + 1]
    return s


def range_negative_step(x):
    s = 1.0
    for i in range(3, -1, -1):
        s = s * 0.5 + x[i]
    return s


def range_n(a, n):
    y = 1.0
    for i in range(n):
        y = y * a + i
    return y


def range_len(x):
    s = 0.0
    for i in range(len(x)):
        s = s + x[i] ** 3
    return s


def range_shape(W, h):
    s = 0.0
    for i in range(W.shape[0]):
        s = s + np.dot(W[i], h) ** 2
    return s


def range_empty(a):
    y = a
    for i in range(0):
        y = y * 2.0
    return y * a


def range_index_used_as_float(a):
    s = 0.0
    for i in range(5):
        s = s + a ** i / (i + 1)
    return s


def range_from_data(a, x):
    n = int(np.floor(np.sum(x * x)))
    y = a
    for i in range(n):
        y = np.sin(y) + a
    return y


# ---- for over iterables -----------------------------------------------------------------------

def iter_array_rows(W, h):
    s = 0.0
    for row in W:
        s = s + np.tanh(np.dot(row, h))
    return s


def iter_array_elements(x):
    s = 0.0
    for e in x:
        s = s + e * e * e
    return s


def iter_list(L):
    s = 0.0
    for v in L:
        s = s + np.sum(np.sin(v))
    return s


def iter_tuple(a, b):
    s = 0.0
    for v in (a, b, a * b):
        s = s + v * v
    return s


def iter_zip(x, y):
    s = 0.0
    for p, q in zip(x, y):
        s = s + p * q * q
    return s


def iter_enumerate(x):
    s = 0.0
    for i, e in enumerate(x):
        s = s + e * (i + 1.0)
    return s * s


def iter_reversed(x):
    s = 0.0
    for e in reversed(x):
        s = np.sin(s) + e
    return s


def iter_zip_list_and_array(L, x):
    s = 0.0
    for v, e in zip(L, x):
        s = s + np.sum(v) * e
    return s


def iter_enumerate_list(L, a):
    s = 0.0
    for i, v in enumerate(L):
        s = s + a ** (i + 1) * np.sum(v * v)
    return s


def iter_reversed_range(x):
    s = 0.0
    for i in reversed(range(4)):
        s = s * x[i] + 1.0
    return s


def iter_sequence_rows(xs, U):
    s = 0.0
    for x in xs:
        s = s + np.sum(np.tanh(U @ x))
    return s


# ---- while ------------------------------------------------------------------------------------

def while_counter(a):
    i = 0
    y = a
    while i < 4:
        y = np.sin(y) * a
        i = i + 1
    return y


@cases(dict(a=2.0), dict(a=0.7), dict(a=9.3))
def while_newton_sqrt(a):
    y = a
    while abs(y * y - a) > 1e-12:
        y = 0.5 * (y + a / y)
    return y


@cases(dict(a=1.3), dict(a=0.6))
def while_data_dependent_trips(a):
    y = a
    while y < 10.0:
        y = y * 1.7 + a
    return y


@cases(dict(a=3.3), dict(a=0.3))
def while_halving(a):
    y = a
    n = 0
    while y > 0.2:
        y = y * 0.5
        n = n + 1
    return y * y + n


def while_counter_down(x):
    i = 3
    s = 0.0
    while i >= 0:
        s = s * 0.9 + x[i] * x[i]
        i = i - 1
    return s


def while_never_runs(a):
    y = a * a
    while y > 1e6:
        y = y * 0.5
    return y


def while_two_variables(a, b):
    p = a
    q = b
    k = 0
    while k < 3:
        p, q = p * q + 0.1, np.sin(p)
        k = k + 1
    return p + q


# ---- break / continue -------------------------------------------------------------------------

@cases(dict(a=1.0), dict(a=10.0), dict(a=0.1))
def break_data_dependent(a, x):
    s = 0.0
    for i in range(4):
        if s > a:
            break
        s = s + x[i] * x[i]
    return s


def break_static(x):
    s = 0.0
    for i in range(4):
        if i == 2:
            break
        s = s + np.exp(x[i])
    return s


def continue_static(x):
    s = 0.0
    for i in range(4):
        if i % 2 == 1:
            continue
        s = s + x[i] ** 2
    return s


def continue_data_dependent(x):
    s = 0.0
    for e in x:
        if e < 0:
            continue
        s = s + np.sqrt(e)
    return s


@cases(dict(a=1.0), dict(a=0.05))
def break_in_while(a):
    y = a
    i = 0
    while True:
        y = y * 1.5
        i = i + 1
        if y > 3.0:
            break
    return y + i


def break_and_continue(x):
    s = 0.0
    for i in range(4):
        if x[i] < 0:
            continue
        if s > 2.0:
            break
        s = s + x[i] * 1.3
    return s


def break_in_inner_loop(W):
    s = 0.0
    for i in range(3):
        for j in range(3):
            if j > i:
                break
            s = s + W[i, j] * W[j, i]
    return s


def continue_in_while(x):
    i = 0
    s = 0.0
    while i < 4:
        i = i + 1
        if x[i - 1] > 1.0:
            continue
        s = s + np.sin(x[i - 1])
    return s


def break_after_overwrite(a):
    y = a
    for i in range(10):
        y = y * a
        if i == 2:
            break
        y = y + 0.5
    return y


@cases(dict(x=np.array([0.5, -1.2, 0.8, 1.9])), dict(x=np.array([0.5, -1.2, 0.1, 0.3])))
def break_via_helper(x):
    return _first_above(x, 0.7) * 2.0 + np.sum(x)


def continue_in_enumerate(L):
    s = 0.0
    for i, v in enumerate(L):
        if i == 1:
            continue
        s = s + np.sum(v ** 2)
    return s


# ---- nested loops -----------------------------------------------------------------------------

def nested_range(W):
    s = 0.0
    for i in range(3):
        for j in range(3):
            s = s + W[i, j] * np.sin(W[j, i])
    return s


def nested_triangular(x):
    s = 0.0
    for i in range(4):
        for j in range(i):
            s = s + x[i] * x[j]
    return s


def nested_while_in_for(x):
    s = 0.0
    for i in range(4):
        k = 0
        while k < i:
            s = s + x[i] * 0.5
            k = k + 1
    return s * s


def nested_for_in_while(a, x):
    i = 0
    y = a
    while i < 2:
        for e in x:
            y = np.tanh(y + e * a)
        i = i + 1
    return y


def nested_three_deep(a):
    y = a
    for i in range(2):
        for j in range(2):
            for k in range(2):
                y = y * 0.9 + np.sin(a * (i + j + k))
    return y


def nested_carried_accumulator(W, h):
    z = h
    for i in range(2):
        acc = np.zeros(3)
        for j in range(3):
            acc = acc + W[j] * z[j]
        z = np.tanh(acc)
    return np.sum(z)


# ---- comprehensions and generator expressions -------------------------------------------------

def listcomp_sum(x):
    return sum([e * e for e in x])


def genexp_sum(x):
    return sum(np.sin(e) for e in x)


def listcomp_range(a):
    terms = [a ** i for i in range(4)]
    return terms[0] + terms[1] * terms[3] + sum(terms)


def listcomp_filter(x):
    return sum([e ** 2 for e in x if e > 0])


def listcomp_stack(L):
    return np.sum(np.stack([v * v for v in L]) ** 2)


def listcomp_over_zip(x, y):
    return sum([p * q for p, q in zip(x, y)])


def listcomp_calls_helper(W, L):
    return sum([np.sum(_cell(W, v[:3], v[1:])) for v in L])


def listcomp_nested(x):
    return sum([x[i] * x[j] for i in range(4) for j in range(i)])


# ---- writes into arrays -----------------------------------------------------------------------

def buf_write_index(x):
    y = np.zeros(4)
    for i in range(4):
        y[i] = x[i] * x[(i + 1) % 4]
    return np.sum(y ** 2)


def buf_write_row(W):
    out = np.zeros((3, 3))
    for i in range(3):
        out[i, :] = np.tanh(W[i] * 2.0)
    return np.sum(out * W)


def buf_write_mask(x, mask):
    y = x * 2.0
    y[mask] = x[mask] ** 3
    return np.sum(y * x)


def buf_augmented(x):
    acc = np.zeros(4)
    for i in range(4):
        acc[i] += x[i] * 2.0
        acc[(i + 1) % 4] += np.sin(x[i])
    return np.sum(acc ** 2)


def buf_empty(x):
    y = np.empty(4)
    for i in range(4):
        y[i] = np.exp(x[i])
    return np.sum(y)


def buf_zeros_like(x):
    y = np.zeros_like(x)
    for i in range(1, 4):
        y[i] = y[i - 1] * 0.5 + x[i]
    return np.sum(y * y)


def buf_overwrite_same_slot(a):
    y = np.zeros(2)
    for i in range(3):
        y[0] = y[0] * a + 1.0
    return y[0]


def buf_passed_in(x, y):
    y[1] = x[0] * x[2]
    return np.sum(y * x)


def buf_rnn(W, U, xs):
    T = xs.shape[0]
    hs = np.zeros((T + 1, 3))
    for t in range(T):
        hs[t + 1] = np.tanh(W @ hs[t] + U @ xs[t])
    return np.sum(hs ** 2)


def buf_rnn_last(W, U, xs, h):
    hs = np.zeros((6, 3))
    hs[0] = h
    for t in range(5):
        hs[t + 1] = _cell(W, hs[t], U @ xs[t])
    return np.sum(hs[-1] * hs[3])


@cases(dict(a=1.3), dict(a=-0.7))
def buf_write_in_branch(a, x):
    y = np.zeros(4)
    if a > 0:
        y[0] = a * x[0]
    else:
        y[1] = a * a
    y[2] = x[2] * a
    return np.sum(y * x)


def buf_write_data_mask(x):
    y = np.zeros(4)
    y[x > 0] = np.sqrt(x[x > 0])
    return np.sum(y * x)


def buf_cumulative_matrix(M):
    out = np.zeros((4, 4))
    out[0] = M[0]
    for i in range(1, 4):
        out[i] = out[i - 1] * 0.5 + np.sin(M[i])
    return np.sum(out * M)


def buf_mask_computed_from_target(x):
    y = x * 1.0
    y[y > 1.0] = 1.0
    return np.sum(y * y)


def buf_column_write(W):
    out = np.zeros((3, 3))
    for j in range(3):
        out[:, j] = W[:, j] * W[j, j]
    return np.sum(out ** 2)


# ---- lists of arrays --------------------------------------------------------------------------

def list_append_stack(W, h):
    hs = []
    for i in range(3):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(np.stack(hs) ** 2)


def list_append_sum(x):
    parts = []
    for i in range(4):
        parts.append(x * x[i])
    return np.sum(sum(parts))


def list_last_element(W, h):
    hs = [h]
    for i in range(3):
        hs.append(np.tanh(W @ hs[-1]))
    return np.sum(hs[-1])


def list_append_in_branch(x):
    parts = []
    for e in x:
        if e > 0:
            parts.append(e * e)
        else:
            parts.append(np.sin(e))
    return sum(parts)


def list_index_read(L, a):
    out = []
    for v in L:
        out.append(v * a)
    return np.sum(out[0] * out[2]) + np.sum(out[1])


def list_append_scalars_while(a):
    vals = [a]
    while len(vals) < 4:
        vals.append(vals[-1] * a + 0.2)
    return sum(vals)


def list_rnn(W, U, xs):
    hs = [np.zeros(3)]
    for x in xs:
        hs.append(np.tanh(W @ hs[-1] + U @ x))
    return np.sum(np.stack(hs[1:]) * 0.5) + np.sum(hs[-1] ** 2)


# ---- tuples and dicts -------------------------------------------------------------------------

def tuple_build_and_unpack(a, b):
    t = (a * b, a + b)
    p, q = t
    return p * q + t[0]


def tuple_swap_in_loop(a, b):
    p, q = a, b
    for i in range(3):
        p, q = q, p * q + 0.5
    return p + q


def dict_build(a, x):
    d = {"s": a * 2.0, "v": x * a}
    return d["s"] * np.sum(d["v"])


def dict_in_loop(x):
    d = {"acc": 0.0}
    for e in x:
        d = {"acc": d["acc"] + e * e}
    return d["acc"]


def tuple_argument(pair):
    v, s = pair
    return np.sum(v * s) + s * s


def helper_returns_tuple(a, b):
    p, q = _pair_update(a, b)
    for i in range(2):
        p, q = _pair_update(p, q)
    return p + q


# ---- user functions ---------------------------------------------------------------------------

def call_in_loop(W, h, x):
    for i in range(3):
        h = _cell(W, h, x[:3] * i)
    return np.sum(h)


@cases(dict(a=1.3), dict(a=-0.7))
def call_in_branch(a, b):
    if a > 0:
        y = _sq(a) * b
    else:
        y = _sq(b) * a
    return y


def call_kwargs_and_defaults(W, h):
    p = _affine(W, h)
    q = _affine(W, h, scale=2.0)
    r = _affine(W, h, shift=1.5, scale=0.5)
    return np.sum(p * q + r)


def call_helper_calls_helper(W, h):
    for i in range(2):
        h = _layer(W, h)
    return np.sum(h)


def call_helper_with_branches(x):
    s = 0.0
    for e in x:
        s = s + _clip_step(e * 1.1)
    return s


def call_helper_with_loop(x):
    return _accumulate(x, 3) + _accumulate(x, 2, decay=0.5)


def recursion_power(a):
    return _power(a, 5)


def recursion_fast_power(a):
    return _fast_power(a, 7)


def recursion_list_sum(L):
    return _rsum(L, 0)


@cases(dict(a=1.3), dict(a=0.05), dict(a=3.7))
def recursion_data_dependent_base(a):
    return _shrink(a)


def recursion_mutual(a):
    return _even_odd(a, 4)


def call_newton_in_loop(x):
    s = 0.0
    for e in x:
        s = s + _newton_sqrt(e * e + 1.0)
    return s


def call_recursion_in_loop(a):
    s = 0.0
    for n in range(4):
        s = s + _power(a, n)
    return s


def call_norm_of_helper(x):
    return _norm_sq(x) * _sq(np.sum(x))


def call_math(a):
    y = a
    for i in range(3):
        y = math.sin(y) + math.exp(-a * i)
    return y


# ---- variables overwritten in loops and branches ----------------------------------------------

@cases(dict(a=0.6), dict(a=-0.4), dict(a=0.1))
def overwrite_in_loop_and_branch(a):
    y = a
    for i in range(5):
        if y > 0:
            y = y * 1.3 - 0.2
        else:
            y = np.sin(y) + 0.05
    return y


def overwrite_same_name_twice(a):
    y = a
    y = y * y
    y = np.sin(y) + y
    y = y * a
    return y


def overwrite_loop_variable_reused(x):
    e = 2.0
    s = 0.0
    for e in x:
        s = s + e * e
    return s + e


def overwrite_argument(x, W):
    for i in range(3):
        x = x[:3] if x.shape[0] == 4 else np.tanh(W @ x)
    return np.sum(x)


def overwrite_accumulator_reset(x):
    total = 0.0
    acc = 0.0
    for i in range(4):
        if i % 2 == 0:
            acc = 0.0
        acc = acc + x[i] ** 2
        total = total + acc * x[i]
    return total


# ---- branches inside loops inside branches; data-dependent trip counts -------------------------

@cases(dict(a=1.3), dict(a=-0.7))
def branch_loop_branch(a, x):
    s = 0.0
    if a > 0:
        for e in x:
            if e > 0:
                s = s + a * e
            else:
                s = s - e * e
    else:
        for e in x:
            if e < 1.0:
                s = s + np.sin(a * e)
    return s


@cases(dict(a=1.3), dict(a=-0.7))
def while_in_branch_in_for(a, x):
    s = 0.0
    for i in range(3):
        if a > 0:
            k = 0
            while k < i:
                s = s + x[k] * a
                k = k + 1
        else:
            s = s * a + x[i]
    return s


@cases(dict(a=0.3), dict(a=1.7))
def trips_depend_on_value(a):
    y = a
    n = 0
    while y < 2.0 and n < 20:
        y = y + np.exp(-y)
        n = n + 1
    return y * a


def trips_from_argmax(x):
    k = int(np.argmax(x))
    s = 0.0
    for i in range(k + 1):
        s = s + x[i] * x[k]
    return s


@cases(dict(x=np.array([0.5, -1.2, 0.8, 1.9])), dict(x=np.array([3.5, -1.2, 0.8, 1.9])))
def trips_from_break_on_partial_sum(x):
    s = 0.0
    n = 0
    for e in x:
        s = s + np.abs(e)
        n = n + 1
        if s > 3.0:
            break
    return s * n


def branch_on_loop_index_and_data(x, y):
    s = 0.0
    for i in range(4):
        if i < 2:
            if x[i] > y[i]:
                s = s + x[i]
            else:
                s = s + y[i]
        else:
            s = s * x[i]
    return s


# ---- composite programs -----------------------------------------------------------------------

def rnn_tanh_loss(W, U, xs, h):
    loss = 0.0
    for x in xs:
        h = np.tanh(W @ h + U @ x)
        loss = loss + np.sum(h * h)
    return loss


def rnn_clipped_gradient_path(W, U, xs):
    T = xs.shape[0]
    hs = np.zeros((T + 1, 3))
    for t in range(T):
        pre = W @ hs[t] + U @ xs[t]
        big = np.abs(pre) > 1.5
        pre[big] = 1.5 * np.sign(pre[big])
        hs[t + 1] = np.tanh(pre)
    return np.sum(hs[1:] ** 2)


def gru_like(W, V, U, xs):
    h = np.zeros(3)
    for x in xs:
        z = 1.0 / (1.0 + np.exp(-(W @ h + U @ x)))
        c = np.tanh(V @ h + U @ x)
        h = z * h + (1.0 - z) * c
    return np.sum(h)


@cases(dict(a=0.4), dict(a=4.5))
def gradient_descent_inner_loop(a, x):
    w = np.zeros(4)
    for i in range(5):
        g = 2.0 * (w - x) * a
        w = w - 0.1 * g
        if np.sum(g * g) < 1e-3:
            break
    return np.sum(w ** 2)


def attention_loop(W, xs):
    q = W @ xs[0][:3]
    scores = []
    for x in xs:
        scores.append(np.dot(q, x[:3]))
    s = np.stack(scores)
    p = np.exp(s - np.max(s))
    p = p / np.sum(p)
    return np.sum(p * s)


def horner(x, a):
    y = 0.0
    for c in reversed(x):
        y = y * a + c
    return y


def bisection_then_smooth(a):
    lo = 0.0
    hi = 4.0
    for i in range(8):
        mid = (lo + hi) / 2.0
        if mid * mid > 3.0:
            hi = mid
        else:
            lo = mid
    return a * lo * np.sin(a)


def masked_softmax_rows(M, mask):
    out = np.zeros((4, 4))
    for i in range(4):
        row = M[i]
        e = np.exp(row - np.max(row))
        e[~mask] = 0.0
        out[i] = e / np.sum(e)
    return np.sum(out * M)


# ---- more nesting -----------------------------------------------------------------------------

def aug_write_in_branch_in_loop(x):
    acc = np.zeros(4)
    for i in range(4):
        if x[i] > 0:
            acc[i] += x[i] ** 2
        else:
            acc[(i + 1) % 4] += np.sin(x[i])
    return np.sum(acc * acc)


@cases(dict(a=1.1), dict(a=0.3))
def append_in_while_true_with_break(a):
    vals = []
    y = a
    while True:
        y = y * 1.4
        vals.append(y)
        if y > 4.0:
            break
    return sum(vals)


def listcomp_in_loop(x):
    s = 0.0
    for k in range(3):
        s = s + sum([e * k for e in x])
    return s * s


def list_sum_of_arrays(W, h):
    hs = []
    for i in range(3):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(sum(hs) ** 2)


def iter_enumerate_zip(x, y):
    s = 0.0
    for i, (p, q) in enumerate(zip(x, y)):
        s = s + i * p * q
    return s


def iter_zip_three(x, y, L):
    s = 0.0
    for p, q, v in zip(x, y, L):
        s = s + p * q * np.sum(v)
    return s


def iter_list_of_tuples(a, b):
    s = 0.0
    for p, q in [(a, b), (b, a), (a * b, 1.0)]:
        s = s + p * np.sin(q)
    return s


def dict_item_writes(a, x):
    d = {}
    d["s"] = a * 2.0
    d["v"] = x * a
    return d["s"] * np.sum(d["v"])


def list_item_write(L, a):
    out = [v for v in L]
    out[1] = out[1] * a
    return np.sum(out[1] * out[0])


def buf_slice_augmented(x):
    acc = np.zeros(4)
    acc[1:] += x[:-1] * 2.0
    acc[:2] += x[2:] ** 2
    return np.sum(acc ** 2)


def buf_nested_2d_write(W):
    out = np.zeros((3, 3))
    for i in range(3):
        for j in range(3):
            out[i, j] = W[i, j] * W[j, i]
    return np.sum(out ** 2)


def buf_mask_augmented(x, mask):
    y = x * 1.0
    y[mask] += x[mask] ** 2
    return np.sum(y * y)


def buf_write_then_read_chain(x):
    y = x * 1.0
    for i in range(1, 4):
        y[i] = y[i - 1] * y[i]
    return np.sum(y)


def buf_whole_and_partial_slice(x):
    y = np.zeros(4)
    y[:] = x * 2.0
    y[1:3] = np.sin(x[1:3])
    return np.sum(y * x)


def call_helper_writing_local_buffer(x):
    return np.sum(_write_local(x) * x)


def call_helper_with_break_returning_index(x):
    k = _first_index_above(x, 0.7)
    return x[k] * np.sum(x)


def recursion_deep(a):
    return _deep(a, 40)


def ifexp_static(a, n):
    return a * a if n > 2 else a


def while_in_elif_with_continue(a, x):
    s = 0.0
    for e in x:
        if e > 1.0:
            k = 0
            while k < 2:
                s = s + e * a
                k = k + 1
        elif e > 0:
            s = s * a
        else:
            continue
    return s


def list_grows_in_while(W, h):
    hs = [h]
    while len(hs) < 4:
        hs.append(np.tanh(W @ hs[-1]))
    return np.sum(np.stack(hs) ** 2)


@cases(dict(a=1.3), dict(a=-3.0))
def return_in_else_after_loop(a, x):
    s = a
    for e in x:
        s = s * 0.5 + e
    if s > 0:
        y = s * a
    else:
        return s
    return y * y


def genexp_filtered_plus_plain(x):
    return sum(np.exp(e) for e in x if e < 1.0) + sum(e for e in x)


def recursion_over_list_slices(L):
    return _rsum_slices(L)


def _iter_list_of_enumerate(x):
    s = 0.0
    for i, e in list(enumerate(x)):
        s = s + e * e * (i + 1.0)
    return s


# ---- writes that no other name sees (writes another name would see: tests/test_aliasing.py) ------

def append_copy_then_write(x):
    buf = np.zeros(4)
    hs = []
    for i in range(3):
        buf[i] = x[i] * 2.0
        hs.append(buf.copy())
    return np.sum(np.stack(hs) ** 2)


def augassign_array_in_loop(x):
    acc = np.zeros(4)
    for i in range(3):
        acc += x * i
    return np.sum(acc * x)


def write_argument_then_read(x):
    x[0] = x[1] * x[2]
    return np.sum(x * x)


@cases(dict(a=0.5), dict(a=1.95))
def while_with_inner_for_break(a):
    y = a
    k = 0
    while k < 3:
        k = k + 1
        for i in range(4):
            y = y * 1.1 + 0.1
            if y > 2.0:
                break
    return y


def iter_array_written_in_body(a):
    buf = np.zeros(2)
    for e in buf:
        buf[-1] += a * e + a
    return buf[-1]


# ---- more iteration forms ---------------------------------------------------------------------


def _is_big(a):
    return a * a > 0.5


def _loop_then_recurse(a, n):
    if n == 0:
        return a
    s = 0.0
    for i in range(2):
        s = s + np.sin(a * (i + 1))
    return _loop_then_recurse(s, n - 1)


def iter_enumerate_start(x):
    s = 0.0
    for i, e in enumerate(x, start=1):
        s = s + i * e * e
    return s


def iter_zip_unequal_lengths(x, h):
    s = 0.0
    for p, q in zip(x, h):
        s = s + p * q
    return s


def iter_zip_shorter_first(h, x):
    s = 0.0
    for p, q in zip(h, x):
        s = s + p * q
    return s


def iter_reversed_range_step(x, n):
    s = 0.0
    for i in reversed(range(1, n + 1, 2)):
        s = s * 0.5 + x[i]
    return s


def range_of_len_of_growing_list(a):
    hs = [a]
    for i in range(3):
        for j in range(len(hs)):
            hs.append(hs[j] * 0.5)
    return sum(hs)


def list_sum_with_start(W, h):
    hs = []
    for i in range(2):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(sum(hs, np.ones(3)) ** 2)


def list_stack_axis1(W, h):
    hs = []
    for i in range(3):
        h = np.tanh(W @ h)
        hs.append(h)
    return np.sum(np.stack(hs, axis=1) * W)


def list_second_to_last(a):
    hs = [a]
    for i in range(3):
        hs.append(np.sin(hs[-1]) + hs[0])
    return hs[-2] * hs[-1]


def listcomp_with_ifexp(x):
    return sum([e * e if e > 0 else np.sin(e) for e in x])


def while_condition_calls_helper(a):
    y = a
    k = 0
    while not _is_big(y) and k < 10:
        y = y * 1.3 + 0.05
        k = k + 1
    return y


def elif_chain_in_loop(x):
    s = 0.0
    for e in x:
        if e > 1.5:
            s = s + e
        elif e > 0.6:
            s = s * e
        elif e > -1.0:
            s = s - np.sin(e)
        else:
            s = s + e * e
    return s


def p_loop_then_recurseursion(a):
    return _loop_then_recurse(a, 3)


def dict_item_writes_in_loop(x):
    d = {"s": 0.0, "p": 1.0}
    for e in x:
        d["s"] = d["s"] + e
        d["p"] = d["p"] * (1.0 + 0.1 * e)
    return d["s"] * d["p"]


def tuple_of_arrays_rebuilt_in_loop(x, y):
    t = (x, y)
    for i in range(2):
        t = (np.tanh(t[0] + t[1]), t[0] * 0.5)
    return np.sum(t[0] * t[1])


def genexp_in_while(x):
    k = 0
    s = 0.0
    while k < 3:
        s = s + sum(e * k for e in x)
        k = k + 1
    return s * s


def list_sum_of_empty_list(x):
    hs = []
    for e in x:
        if e > 5.0:
            hs.append(e)
    return sum(hs) + np.sum(x)


def list_argument_indexed_in_loop(L, a):
    s = 0.0
    for i in range(len(L)):
        s = s + np.sum(L[i] * a ** i)
    return s


def continue_on_compound_condition(x):
    s = 0.0
    for i in range(4):
        if i > 0 and x[i] < x[i - 1]:
            continue
        s = s + np.exp(x[i] * 0.3)
    return s
