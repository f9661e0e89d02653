"""grad(grad(f)) of an early return, with a NumPy scalar argument (fuzz oracle grad(grad), feature early_return)."""
import numpy as np
import pytest

import srcgrad


def early_return(a, x):
    if a > 0.5:
        return 0.5 * a + np.sum(x)
    return a


@pytest.mark.parametrize("a", [0.1, 0.7])
def test_second_derivative_of_an_early_return_with_a_numpy_scalar(a) -> None:
    x = np.array([0.1, 0.2])
    assert srcgrad.grad(srcgrad.grad(early_return))(a, x) == 0.0  # the control case: a Python float
    assert srcgrad.grad(srcgrad.grad(early_return))(np.float64(a), x) == 0.0  # f is linear in a on both sides
