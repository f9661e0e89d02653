"""Fuzz seeds 1004 and 1107: a list read whole twice (`np.stack(hs)` twice) and appended to from its own
last item got a wrong gradient with no error: its adjoint is kept item by item (structure.Parts), and
adding the adjoint of `hs[-1]` into it made a new object the generated code then did not use. Fuzz seed
1101: a buffer rebuilt in a loop and written by index was saved as a shape-only proxy, so the backward
sweep's write putting its old item back failed with "assignment destination is read-only".
"""
import numpy as np
import pytest

import srcgrad

from fuzz_reference import derivative, gradient


def stacked_twice(q):
    hs = [q + np.zeros(2)]
    hs.append(hs[-1] * q)
    a = np.stack(hs)
    b = np.stack(hs)
    return np.sum(a) + np.sum(b)


def mean_and_sum_of_a_recurrence(q, x):  # the fuzz program, as found
    s0 = q
    v1 = np.tanh((q + np.zeros(2)))
    hs2 = [(q + np.zeros((2, 2)))]
    for i3 in range(3):
        hs2.append(0.5 * hs2[-1] + 0.5 * np.tanh((q + np.zeros((2, 2)))))
    v1 = 0.5 * v1 + 0.5 * np.tanh(np.mean(np.stack(hs2)))
    return np.sum(v1) + np.sum(np.stack(hs2))


def test_a_list_stacked_twice_and_grown_from_its_last_item():
    value, g = srcgrad.value_and_grad(stacked_twice)(0.3)
    assert value == stacked_twice(0.3)
    assert g == pytest.approx(4 + 8 * 0.3, rel=1e-12)  # closed form: 2 * sum(q + q^2) over 2 entries
    x = np.array([7.42e-05, 0.0001113])
    value, g = srcgrad.value_and_grad(mean_and_sum_of_a_recurrence)(0.3000371, x)
    assert value == mean_and_sum_of_a_recurrence(0.3000371, x)
    assert g == pytest.approx(derivative(lambda q: mean_and_sum_of_a_recurrence(q, x), 0.3000371), rel=1e-6)


def buffer_rebuilt_and_written_in_a_loop(col, noise):
    s0 = np.sum(np.tanh(col @ (noise + np.zeros(1))))
    for i in range(3):
        buf = np.zeros(1)
        col = 0.5 * col + 0.5 * np.tanh(np.sum(np.tanh(np.hstack((noise + buf + np.zeros((1, 1)),
                                                                  noise + np.zeros((1, 1)))))))
        buf[0] = np.tanh(s0)
    return np.sum(col * col)


def test_a_buffer_written_by_index_in_a_loop_is_restored_from_its_data():
    col = np.array([[0.3], [-0.7]])
    value, g = srcgrad.value_and_grad(buffer_rebuilt_and_written_in_a_loop)(col, 0.4)
    assert value == buffer_rebuilt_and_written_in_a_loop(col, 0.4)
    assert g == pytest.approx(gradient(lambda c: buffer_rebuilt_and_written_in_a_loop(c, 0.4), col), rel=1e-6)
