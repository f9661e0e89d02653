"""Issue 10, item 15: complex inputs have no gradient convention in srcgrad; they are refused by name at call time."""
import numpy as np
import pytest

import srcgrad


def power_sum(x, scale):
    return np.sum(np.abs(x) ** 2) * scale


def of_params(params, x):
    return np.sum(np.abs(params["W"] @ x)) + np.sum(np.abs(params["layers"][1]))


@pytest.mark.parametrize("x, where", [
    (np.array([1.0 + 2.0j, 3.0]), "dtype complex128"),
    (np.array([1.0, 2.0], dtype=np.complex64), "dtype complex64"),
    (1.0 + 0.5j, "a Python complex"),
    (np.complex128(2.0 - 1.0j), "dtype complex128"),
])
def test_complex_wrt_argument_is_refused(x, where):
    for make in (srcgrad.grad, srcgrad.value_and_grad):
        with pytest.raises(srcgrad.ComplexInputError) as info:
            make(power_sum)(x, 2.0)
        message = str(info.value)
        assert "argument 'x' of power_sum" in message and where in message
        assert "test_complex_inputs.py" in message  # the def line of the user's function
    with pytest.raises(srcgrad.ComplexInputError):
        srcgrad.jvp(power_sum)(x, 2.0, 1.0)
    with pytest.raises(srcgrad.ComplexInputError):
        srcgrad.grad(power_sum)(x=x, scale=2.0)


def test_complex_inside_containers_is_refused_with_its_path():
    x = np.ones(2)
    params = {"W": np.eye(2), "layers": [np.zeros(2), np.array([1j, 2.0])]}
    with pytest.raises(srcgrad.ComplexInputError) as info:
        srcgrad.grad(of_params)(params, x)
    assert "params['layers'][1]" in str(info.value)
    assert issubclass(srcgrad.ComplexInputError, srcgrad.WrtError)


def test_real_inputs_still_work_after_a_refusal():
    x = np.array([1.0, -2.0])
    with pytest.raises(srcgrad.ComplexInputError):
        srcgrad.grad(power_sum)(x + 0j, 3.0)
    np.testing.assert_allclose(srcgrad.grad(power_sum)(x, 3.0), 6.0 * x, rtol=1e-12)
    # a complex argument that is not differentiated is the function's business
    np.testing.assert_allclose(srcgrad.grad(power_sum, wrt="scale")(x, 3.0), np.sum(x * x), rtol=1e-12)
