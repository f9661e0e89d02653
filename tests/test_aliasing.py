"""Writes that another name would see: srcgrad refuses them clearly, and differentiates every write no other
name sees. References: central finite differences in float64, and each function's own value.

A write through a second name changes both names in Python (`z = y; z[0] = e`, `row = buf[0]; buf[0] = e`,
`hs.append(buf); buf[0] = e`, `z += e` on an array z that y also refers to); srcgrad gives each name its own
adjoint, so it stops with an UnsupportedSyntaxError naming the line and the other name.
"""
import inspect

import numpy as np
import pytest

import srcgrad
from gradcheck import check_grad


def augmented_through_second_name(x):
    y = x * 1.0
    z = y
    z += 1.0
    return np.sum(y * x)


def write_through_second_name(x):
    y = x * 1.0
    z = y
    z[0] = 5.0 * x[1]
    return np.sum(y * x)


def view_then_write(W):
    buf = W * 1.0
    row = buf[0]
    buf[0] = np.sin(W[1])
    return np.sum(row * W[0])


def append_then_write(x):
    buf = np.zeros(4)
    hs = []
    for i in range(3):
        buf[i] = x[i] * 2.0
        hs.append(buf)
    return np.sum(hs[0] * x)


def row_of_a_matrix_updated_in_place(W):
    acc = W * 1.0
    for row in acc:
        row += 1.0
    return np.sum(acc * W)


def dict_entry_written_through_its_array(x):
    params = {"w": x * 2.0}
    w = params["w"]
    w[0] = 0.0
    return np.sum(params["w"] * x)


CASES = [(augmented_through_second_name, "z", "y"), (write_through_second_name, "z", "y"),
         (view_then_write, "buf", "row"), (append_then_write, "buf", "hs"),
         (row_of_a_matrix_updated_in_place, "row", "acc"), (dict_entry_written_through_its_array, "w", "params")]


@pytest.mark.parametrize("f, written, other", CASES, ids=[c[0].__name__ for c in CASES])
@pytest.mark.parametrize("mode", ["grad", "jvp"])
def test_a_write_another_name_sees_is_refused_at_its_line(f, written, other, mode):
    arg = np.array([0.3, -0.2, 0.5, 0.1]) if "W" not in inspect.signature(f).parameters else \
        np.arange(1.0, 7.0).reshape(2, 3) / 7
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
        if mode == "grad":
            srcgrad.value_and_grad(f)(arg)
        else:
            srcgrad.jvp(f)(arg, np.ones_like(arg))
    message = str(info.value)
    assert f"write into {written}" in message and other in message
    assert __file__ in message and "copy" in message.lower()
    lines, first = inspect.getsourcelines(f)
    assert info.value.origin.lineno in range(first, first + len(lines))


def augmented_on_elements_of_a_vector(x):
    s = 0.0
    for e in x:
        e += 1.0  # e is a NumPy scalar: `+=` makes a new number, x does not change
        s = s + e * e
    return s + np.sum(x)


def augmented_on_a_copy(x):
    y = x * 1.0
    z = y.copy()
    z += 1.0
    return np.sum(y * z)


def view_read_before_the_write(W):
    buf = W * 1.0
    first = np.sum(buf[0] * W[0])
    buf[0] = np.sin(W[1])
    return first + np.sum(buf * W)


def fresh_row_each_iteration_appended(x):
    hs = []
    for i in range(3):
        buf = np.zeros(4)
        buf[i] = x[i] * 2.0
        hs.append(buf)
    return np.sum(np.stack(hs) * x)


def second_name_rebound_before_the_write(x):
    y = x * 1.0
    z = y
    z = z * 2.0
    z[0] = 0.0
    return np.sum(y * z)


def fancy_index_copy_written(x):
    y = x * 1.0
    picked = y[np.array([0, 2])]
    picked[0] = 3.0 * x[1]
    return np.sum(picked * x[:2]) + np.sum(y)


@pytest.mark.parametrize("f", [augmented_on_elements_of_a_vector, augmented_on_a_copy, view_read_before_the_write,
                               fresh_row_each_iteration_appended, second_name_rebound_before_the_write,
                               fancy_index_copy_written])
def test_writes_no_other_name_sees_are_differentiated(f):
    arg = np.array([0.3, -0.2, 0.5, 0.1]) if "W" not in inspect.signature(f).parameters else \
        np.arange(1.0, 7.0).reshape(2, 3) / 7
    check_grad(f, (arg,), with_value=True)


def write_into_argument(x, y):
    x[0] = y[1] * 2.0
    return np.sum(x * y)


def test_the_same_array_passed_twice_to_a_function_writing_into_it_is_refused():
    x = np.array([0.5, 0.25, 1.0])
    with pytest.raises(srcgrad.SrcgradError, match="share memory"):
        srcgrad.grad(write_into_argument, wrt=1)(x, x)
    with pytest.raises(srcgrad.SrcgradError, match="share memory"):
        srcgrad.grad(write_into_argument, wrt=1)(x, x[::-1])
    check_grad(write_into_argument, (x.copy(), x.copy()), wrt=1)


def mask_changed_after_use(x):
    mask = x > 0.0
    keep = mask
    y = np.where(keep, x, 0.0) * x
    mask[0] = False  # keep sees this too; the backward sweep must read keep as it was
    return np.sum(y) + np.sum(np.where(keep, x, 1.0))


def test_a_write_into_a_value_without_derivative_is_undone_for_the_backward_sweep():
    check_grad(mask_changed_after_use, (np.array([0.3, -0.2, 0.5, 0.1]),), with_value=True)


GLOBAL_BUFFER = np.zeros(3)


def write_into_global(a):
    buf = GLOBAL_BUFFER
    buf[0] = a
    return np.sum(buf) * a


def in_place_numpy(x):
    y = x * 2.0
    np.multiply(y, 3.0, out=y)
    return np.sum(y)


@pytest.mark.parametrize("f, words", [(write_into_global, "belongs to the code that called"),
                                      (in_place_numpy, "in-place operation")])
def test_writes_outside_the_function_and_in_place_numpy_are_refused(f, words):
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match=words):
        srcgrad.grad(f)(0.5 if f is write_into_global else np.ones(3))


# ---- in-place NumPy that writes a differentiated value into an array that did not hold one ------------------
# (each was a silent zero gradient: the array never counted as depending on x)

def fill_diagonal_with_x(x):
    a = np.zeros((2, 2))
    np.fill_diagonal(a, x)
    return np.sum(a * 3.0)


def add_at_x(x):
    a = np.zeros(3)
    np.add.at(a, [0, 0], x)
    return np.sum(a * 3.0)


def put_x(x):
    a = np.zeros(3)
    np.put(a, [1], x)
    return np.sum(a * 3.0)


def copyto_x(x):
    a = np.zeros(3)
    np.copyto(a, x)
    return np.sum(a * 3.0)


def out_keyword_x(x):
    a = np.zeros(3)
    np.multiply(np.ones(3), x, out=a)
    return np.sum(a * 3.0)


def out_by_position_x(x):
    a = np.zeros(3)
    np.add(np.ones(3), x, a)
    return np.sum(a * 3.0)


def fill_x(x):
    a = np.zeros(3)
    a.fill(x)
    return np.sum(a * 3.0)


def putmask_x(x):
    a = np.zeros(3)
    np.putmask(a, a == 0, x)
    return np.sum(a * 3.0)


def put_along_axis_x(x):
    a = np.zeros((1, 3))
    np.put_along_axis(a, np.array([[1]]), x, 1)
    return np.sum(a * 3.0)


def setitem_method_x(x):
    a = np.zeros(3)
    a.__setitem__(1, x)
    return np.sum(a * 3.0)


def einsum_view_x(x):
    a = np.zeros((2, 2))
    np.einsum("ii->i", a)[0] = x
    return np.sum(a * 3.0)


def flat_write_x(x):
    a = np.zeros(3)
    a.flat[1] = x
    return np.sum(a * 3.0)


IN_PLACE = [fill_diagonal_with_x, add_at_x, put_x, copyto_x, out_keyword_x, out_by_position_x, fill_x, putmask_x,
            put_along_axis_x, setitem_method_x, einsum_view_x, flat_write_x]


@pytest.mark.parametrize("f", IN_PLACE, ids=[f.__name__ for f in IN_PLACE])
def test_in_place_numpy_writing_a_differentiated_value_is_refused(f):
    with pytest.raises(srcgrad.UnsupportedSyntaxError) as info:
        srcgrad.grad(f)(1.5)
    assert inspect.getsourcefile(f) in str(info.value)


def swap_rows(x):
    a = np.array([[1.0, 2.0], [3.0, 4.0]]) * x
    a[[0, 1]] = a[[1, 0]]
    return a[0, 0] + 10.0 * a[1, 1]


def test_swapping_rows_by_fancy_indexing_is_differentiated():
    assert swap_rows(1.5) == pytest.approx(3.0 * 1.5 + 10.0 * 2.0 * 1.5)
    assert srcgrad.grad(swap_rows)(1.5) == pytest.approx(3.0 + 20.0, rel=1e-12)


# ---- writes into an element of an element: `a[i][j] = v` runs as `_e = a[i]; _e[j] = v` --------------------

def one_hot_rnn(W, inputs):
    xs, hs = {}, {}
    hs[-1] = np.zeros(3)
    loss = 0.0
    for t in range(len(inputs)):
        xs[t] = np.zeros(3)
        xs[t][inputs[t]] = 1
        hs[t] = np.tanh(W @ xs[t] + hs[t - 1])
        loss += np.sum(hs[t] ** 2)
    return loss


def counts_in_nested_lists(x):
    table = [[0.0, 0.0], [0.0, 0.0]]
    table[0][1] += 2.0
    table[1][0] = 3.0
    return x * table[0][1] + np.sin(x) * table[1][0]


def write_into_a_row_of_a_differentiated_matrix(W, x):
    A = W * 1.0
    A[0][1] = x * 3.0
    return np.sum(A * A)


def test_a_one_hot_built_with_an_element_of_an_element_write():
    W = np.random.default_rng(0).normal(size=(3, 3))
    check_grad(one_hot_rnn, (W, [0, 2, 1]), wrt=0)


def test_writes_into_nested_lists_that_hold_no_derivative():
    assert srcgrad.grad(counts_in_nested_lists)(0.4) == pytest.approx(2.0 + 3.0 * np.cos(0.4), rel=1e-12)


@pytest.mark.parametrize("wrt", [0, 1])
def test_an_element_of_an_element_write_into_a_differentiated_matrix_is_refused_naming_the_row(wrt):
    with pytest.raises(srcgrad.UnsupportedSyntaxError, match=r"write into A\[0\]: A refers to the same memory") as info:
        srcgrad.grad(write_into_a_row_of_a_differentiated_matrix, wrt=wrt)(np.eye(2), 0.5)
    assert "A[0, j] = ..." in str(info.value)
