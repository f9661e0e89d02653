"""In-place augmented assignment the way Python and NumPy run it (fuzz seeds 801 and 901).

`buf -= e` inside `for row in buf` changes the rows the loop has yet to read (and the row view it
holds); `v += e` keeps a float32 array float32; `xs[i] += e` changes the array xs[i] in place, so
another name holding it sees the change. srcgrad used to return values that differ from f's with
no error. Now it gives f's value and dtype, or refuses with the user's line.
"""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import gradient

P = np.array([0.3, -0.5, 0.8])
X = np.array([1.0, 2.0, -1.0, 0.5])


def update_rows_while_iterating(p, x):  # the minimized fuzz program: e is a row view of buf
    buf = np.tanh(np.outer(x, p))
    s = 0.0
    for i, e in enumerate(buf):
        buf -= 0.1 * p
        s = s + np.sum(e * p)
    return s


def update_rows_after_reading(p, x):  # no view is kept, but the loop reads later rows live
    buf = np.tanh(np.outer(x, p))
    s = 0.0
    for e in buf:
        s = s + np.sum(e * p)
        buf -= 0.1 * p
    return s


@pytest.mark.parametrize("f", [update_rows_while_iterating, update_rows_after_reading])
def test_augmented_write_into_the_array_a_loop_iterates_is_refused(f):
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
        srcgrad.value_and_grad(f)(P, X)
    assert "buf -= 0.1 * p" in str(info.value)


def write_rows_by_index(p, x):  # Python reads row i before writing it: srcgrad reads live too
    W = np.outer(x, p)
    for i, row in enumerate(W):
        W[i] = np.sin(row) * 2
    return np.sum(W ** 2)


def write_next_row(p, x):
    W = np.outer(x, p)
    for i, row in enumerate(W):
        if i + 1 < len(W):
            W[i + 1] = W[i + 1] + np.sin(row)
    return np.sum(W ** 2)


def augment_after_the_loop(p, x):
    B = np.outer(x, p)
    s = 0.0
    for i in range(3):
        for e in B:
            s = s + np.sum(np.sin(e))
        B += 1.0
    return s


@pytest.mark.parametrize("f", [write_rows_by_index, write_next_row, augment_after_the_loop])
def test_writes_python_sees_the_same_way_are_differentiated(f):
    value, g = srcgrad.value_and_grad(f)(P, X)
    assert value == pytest.approx(f(P, X), rel=1e-12)
    assert g == pytest.approx(gradient(lambda p: f(p, X), P), rel=1e-6, abs=1e-8)


def float32_accumulator(p, x):
    v = np.tanh(p)
    v += 0.2 * np.sin(p + x)
    v *= np.cos(x)
    return np.sum(v * v)


def test_augmented_assignment_keeps_the_arrays_dtype():
    p32 = P.astype(np.float32)
    x = X[:3]
    expected = float32_accumulator(p32, x)
    value, g = srcgrad.value_and_grad(float32_accumulator)(p32, x)
    assert value == expected and np.asarray(value).dtype == np.float32
    assert g.dtype == np.float32
    reference = gradient(lambda p: float32_accumulator(p, x), P)  # the same function in float64
    assert g == pytest.approx(reference, rel=1e-3, abs=1e-4)
    (value, slope) = srcgrad.jvp(float32_accumulator, wrt=0)(p32, x, np.ones(3, np.float32))
    assert value == expected and np.asarray(slope).dtype == np.float32
    assert slope == pytest.approx(np.sum(reference), rel=1e-3)


def grows_by_broadcasting(p):
    v = p * 1.0
    v += np.ones((2, 3))
    return np.sum(v)


def test_an_augmented_assignment_numpy_refuses_is_refused_too():
    with pytest.raises(ValueError, match="non-broadcastable output operand"):
        grows_by_broadcasting(P[:3])
    with pytest.raises(ValueError, match="non-broadcastable output operand"):
        srcgrad.grad(grows_by_broadcasting)(P[:3])


def item_of_a_list_seen_through_another_name(p, x):
    W = [p * 1.0, p * 2]
    a = W[0]
    W[0] += x
    return np.sum(W[0]) + np.sum(a)


def test_augmented_write_into_a_list_item_another_name_holds_is_refused():
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
        srcgrad.value_and_grad(item_of_a_list_seen_through_another_name)(P[:3], X[:3])
    assert "W[0] += x" in str(info.value) and "a" in str(info.value)


def accumulate_into_list_items(p, x):  # the common form: items that nothing else holds
    grads = [np.zeros(3), np.zeros(3, np.float32)]
    for i in range(2):
        grads[i] += p * x[i]
    counts = [0.0, 0.0]
    counts[1] += 2.0
    return np.sum(grads[0] * grads[1]) * counts[1]


def test_augmented_writes_into_list_items_nothing_else_holds_are_differentiated():
    expected = accumulate_into_list_items(P[:3], X)
    value, g = srcgrad.value_and_grad(accumulate_into_list_items)(P[:3], X)
    assert value == expected and np.asarray(value).dtype == np.asarray(expected).dtype
    # closed form: 2 * sum(p x0 * p x1) has gradient 4 x0 x1 p (grads[1] is float32: finite differences blur)
    assert g == pytest.approx(4 * X[0] * X[1] * P[:3], rel=1e-6)
